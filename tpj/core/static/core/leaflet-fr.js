/* Leaflet in French, for every map of the site: loaded right after leaflet.js, before the
   map scripts, it changes the defaults of the controls Leaflet adds by itself (the zoom
   buttons' names, the attribution's link to Leaflet), so that a screen reader, a tooltip
   or a visible label never reads English (RGAA 8.7: language changes are declared). */
(function () {
  "use strict";
  if (!window.L) { return; }
  L.Control.Zoom.mergeOptions({
    zoomInTitle: "Zoomer",
    zoomOutTitle: "Dézoomer"
  });
  L.Control.Attribution.mergeOptions({
    prefix: '<a href="https://leafletjs.com" hreflang="en" title="Leaflet, bibliothèque JavaScript de cartes interactives (site en anglais)">Leaflet</a>'
  });
})();

/* Projetothèque map: the same filtered projects as the list (GeoJSON of the same query),
   over the territory outlines (core/outlines.js); tiles only when configured.
   A project's marker opens its card (a DSFR card in a popup, from the page's
   <template id="projects-map-card"> filled with the map's data); the list's « Voir sur la
   carte » opens the same card. Markers are buttons (Tab, then Entrée or Espace); the coup de
   cœur of a région has its own marker, a heart, named in the legend. */
(function () {
  "use strict";
  var el = document.getElementById("projects-map");
  var template = document.getElementById("projects-map-card");
  if (!el || typeof L === "undefined" || !window.TPJOutlines) { return; }
  var map = L.map(el, { scrollWheelZoom: false }).setView([46.6, 2.4], 5);
  TPJOutlines.tiles(map, el.dataset.tiles, el.dataset.attribution);
  TPJOutlines.drawFrance(map).then(function (outlines) { TPJOutlines.insets(map, outlines.regions); });
  var markers = {};
  var list = document.querySelector(".tpj-project-list");

  /* The list's card of the project, marked current and scrolled to within the list only
     (the page itself stays on the map, on a phone too). */
  function highlightCard(id) {
    document.querySelectorAll("[data-project]").forEach(function (card) {
      card.setAttribute("aria-current", card.dataset.project === String(id) ? "true" : "false");
    });
    var card = document.getElementById("projet-" + id);
    if (card && list) {
      var top = card.offsetTop - list.offsetTop;
      if (top < list.scrollTop || top + card.offsetHeight > list.scrollTop + list.clientHeight) { list.scrollTop = top; }
    }
  }

  function icon(project) {
    var span = document.createElement("span");
    span.className = "tpj-project-marker" + (project.coup_de_coeur ? " tpj-project-marker--coup-de-coeur" : "");
    if (project.coup_de_coeur) {
      var heart = document.createElement("span");
      heart.className = "fr-icon-heart-fill fr-icon--sm";
      heart.setAttribute("aria-hidden", "true");
      span.appendChild(heart);
    }
    var size = project.coup_de_coeur ? 28 : 16;
    return L.divIcon({ className: "tpj-project-marker-icon", html: span, iconSize: [size, size], popupAnchor: [0, -size / 2] });
  }

  /* The project's card: the template's DSFR card, filled with text (never HTML). */
  function card(project) {
    var node = template.content.firstElementChild.cloneNode(true);
    node.querySelectorAll("[data-field]").forEach(function (field) {
      var name = field.dataset.field;
      if (name === "titre") { field.href = project.page; }
      field.textContent = String(project[name]);
    });
    node.querySelectorAll("[data-if]").forEach(function (item) {
      if (!project[item.dataset.if]) { item.remove(); }
    });
    node.querySelectorAll("[data-axis]").forEach(function (item) {
      if (project.axes.indexOf(Number(item.dataset.axis)) === -1) { item.remove(); }
    });
    node.querySelector("[data-close]").addEventListener("click", function () { map.closePopup(popup); });
    node.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.preventDefault(); map.closePopup(popup); }
    });
    return node;
  }

  /* One popup for the map, the card of the project last opened. Closed (« Fermer la fiche »,
     Échap, a click on the map), it gives the focus back to the project's marker when it held it. */
  var popup = L.popup({ closeButton: false, minWidth: 240, maxWidth: 320, autoPanPaddingTopLeft: [56, 16], autoPanPaddingBottomRight: [16, 16], className: "tpj-map-card-popup" });
  var current = null;
  map.on("popupclose", function (event) {
    if (event.popup !== popup || !current) { return; }
    var container = popup.getElement(), active = document.activeElement;
    var marker = markers[current];
    current = null;
    if (marker && marker.getElement() && (active === document.body || (container && container.contains(active)))) {
      marker.getElement().focus();
    }
  });

  /* Opens the card of a project; `focus`: the keyboard's path, the focus goes to the card. */
  function open(id, focus) {
    var marker = markers[id];
    if (!marker) { return; }
    current = String(id);
    popup.setLatLng(marker.getLatLng()).setContent(card(marker.project)).openOn(map);
    highlightCard(id);
    if (focus) { popup.getElement().querySelector(".fr-card__title a").focus(); }
  }

  fetch(el.dataset.geojson, { headers: { Accept: "application/geo+json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var bounds = [];
      data.features.forEach(function (f) {
        var p = f.properties, ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
        var name = "Fiche du projet « " + p.titre + " »" + (p.coup_de_coeur ? ", coup de cœur de la région" : "");
        var marker = L.marker(ll, {
          icon: icon(p), keyboard: true, riseOnHover: true, zIndexOffset: p.coup_de_coeur ? 1000 : 0, title: name
        });
        marker.project = p;
        marker.on("click", function () { open(p.id, false); });
        marker.on("keydown", function (event) {
          var key = event.originalEvent.key;
          if (key === "Enter" || key === " ") { event.originalEvent.preventDefault(); open(p.id, true); }
        });
        marker.addTo(map);
        marker.getElement().setAttribute("aria-label", name);
        markers[p.id] = marker;
        bounds.push(ll);
      });
      // The insets show the régions d'outre-mer: the main map fits the projects of mainland France
      // (zoom 6 at most: France's régions and their names stay in view, the départements
      // are fetched only when the visitor zooms in).
      var france = L.latLngBounds(TPJOutlines.FRANCE);
      var mainland = bounds.filter(function (ll) { return france.contains(ll); });
      if (mainland.length) { map.fitBounds(mainland, { maxZoom: 6, paddingTopLeft: [56, 24], paddingBottomRight: [24, 24] }); } else if (bounds.length) { map.fitBounds(bounds, { maxZoom: 6 }); }
      el.dataset.projects = String(data.features.length);
      if (window.performance && performance.mark) { performance.mark("tpj-projects-drawn"); }
    });
  document.querySelectorAll("[data-locate]").forEach(function (button) {
    button.addEventListener("click", function () {
      var marker = markers[button.dataset.locate];
      if (marker) { map.setView(marker.getLatLng(), Math.max(map.getZoom(), 9), { animate: false }); open(button.dataset.locate, true); }
    });
  });
}());

/* Dashboard map: the régions or départements (core/outlines.js) coloured by the chosen
   indicator. The classes, colours, legends and French figures come from the server
   (tpj/valorisation/choropleth.py): this script only paints them. A click on a région
   shows its départements. */
(function () {
  "use strict";
  var el = document.getElementById("dashboard-map");
  var data = document.getElementById("dashboard-points");
  if (!el || !data || typeof L === "undefined" || !window.TPJOutlines) { return; }
  var figures = JSON.parse(data.textContent);
  var indicator = document.getElementById("map-indicator");
  var level = document.getElementById("map-level");
  var legend = document.getElementById("dashboard-map-legend");
  var status = document.getElementById("dashboard-map-status");
  var OUT_OF_SCOPE = { color: "#929292", weight: 0.5, fillColor: "#ffffff", fillOpacity: 1 };
  var map = L.map(el, { scrollWheelZoom: false, zoomSnap: 0.5 }).fitBounds(TPJOutlines.FRANCE);
  TPJOutlines.tiles(map, el.dataset.tiles, el.dataset.attribution, 12);
  var shapes = null, names = null, insets = null, outlines = null;
  var focus = null;  // the région whose départements a click brought up

  /* The indicator shown at the current level: a département has only the registry's figures. */
  function currentKey() {
    var legends = figures[level.value].legends;
    return indicator.value in legends ? indicator.value : "verified_per_100k";
  }

  function figure(code) {
    var territory = figures[level.value].territories[code];
    return territory ? territory[currentKey()] : null;
  }

  function style(feature) {
    var shown = figure(feature.properties.code);
    if (!shown) { return OUT_OF_SCOPE; }
    return { color: "#3a3a3a", weight: level.value === "regions" ? 1 : 0.6, fillColor: shown.colour, fillOpacity: 1 };
  }

  /* An inset shows a région d'outre-mer: at the départements' level, its one département. */
  function insetStyle(feature) {
    if (level.value === "regions") { return style(feature); }
    var dep = outlines.departements.features.filter(function (d) { return d.properties.region === feature.properties.code; })[0];
    return dep ? style(dep) : OUT_OF_SCOPE;
  }

  function tooltip(feature) {
    var shown = figure(feature.properties.code);
    return feature.properties.nom + " : " + (shown ? shown.shown : "hors de votre périmètre");
  }

  function drawLegend(key) {
    legend.innerHTML = "";
    var title = document.createElement("span");
    title.className = "tpj-legend__title";
    title.textContent = indicator.querySelector('option[value="' + key + '"]').textContent + " :";
    legend.appendChild(title);
    figures[level.value].legends[key].forEach(function (entry) {
      var item = document.createElement("span"), swatch = document.createElement("i");
      swatch.style.background = entry.colour;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(entry.label));
      legend.appendChild(item);
    });
  }

  function draw() {
    if (!outlines) { return; }
    var key = currentKey(), geojson = outlines[level.value];
    if (shapes) { map.removeLayer(shapes); map.removeLayer(names); }
    shapes = TPJOutlines.layer(map, geojson, {
      style: style,
      onEachFeature: function (feature, shape) {
        shape.bindTooltip(function () { return tooltip(feature); }, { sticky: true });
        if (level.value === "regions") {
          shape.on("click", function () { drillDown(feature, shape.getBounds()); });
        }
      }
    }).addTo(map);
    names = TPJOutlines.labels(map, geojson, {
      small: level.value === "departements",
      filter: function (f) { return !TPJOutlines.isOverseas(f) && (level.value === "regions" || map.getZoom() >= 7); }
    }).addTo(map);
    if (insets) { insets.restyle(insetStyle); }
    drawLegend(key);
    if (status) {
      var notes = [];
      if (focus && level.value === "departements") { notes.push("Départements de la région " + focus + "."); }
      if (key !== indicator.value) { notes.push("Par département, la carte montre les fiches vérifiées pour 100 000 habitants : l'indicateur choisi n'est connu que par région."); }
      status.textContent = notes.join(" ");
    }
  }

  function drillDown(feature, bounds) {
    focus = feature.properties.nom;
    level.value = "departements";
    draw();
    map.fitBounds(bounds);
  }

  Promise.all([TPJOutlines.load("regions"), TPJOutlines.load("departements")]).then(function (loaded) {
    outlines = { regions: loaded[0], departements: loaded[1] };
    insets = TPJOutlines.insets(map, outlines.regions, { style: insetStyle });
    draw();
  });
  map.on("zoomend", function () { if (level.value === "departements") { draw(); } });
  indicator.addEventListener("change", draw);
  level.addEventListener("change", function () {
    if (level.value === "regions") { focus = null; map.fitBounds(TPJOutlines.FRANCE); }
    draw();
  });
}());

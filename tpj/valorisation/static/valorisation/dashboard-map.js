/* Dashboard map: circle markers at territory centres, coloured by the chosen indicator (quintiles). */
(function () {
  "use strict";
  var el = document.getElementById("dashboard-map");
  var data = document.getElementById("dashboard-points");
  if (!el || !data || typeof L === "undefined") { return; }
  var points = JSON.parse(data.textContent);
  var indicator = document.getElementById("map-indicator");
  var level = document.getElementById("map-level");
  var palette = ["#e3e3fd", "#cacafb", "#8585f6", "#6a6af4", "#000091"];
  var map = L.map(el, { scrollWheelZoom: false }).setView([46.6, 2.4], 5);
  if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 12 }).addTo(map); }
  var layer = L.layerGroup().addTo(map);

  function draw() {
    var key = indicator.value, rows = points[level.value] || [];
    if (level.value === "departements" && rows.length && !(key in rows[0])) { key = "verified_per_100k"; }
    var values = rows.map(function (r) { return r[key]; }).filter(function (v) { return v !== null && v !== undefined; }).sort(function (a, b) { return a - b; });
    function bucket(v) {
      if (v === null || v === undefined || !values.length) { return -1; }
      var rank = values.filter(function (x) { return x <= v; }).length / values.length;
      return Math.min(palette.length - 1, Math.floor(rank * palette.length - 1e-9));
    }
    layer.clearLayers();
    rows.forEach(function (r) {
      var b = bucket(r[key]);
      var marker = L.circleMarker([r.lat, r.lon], {
        radius: level.value === "regions" ? 10 + 3 * Math.max(b, 0) : 5 + 2 * Math.max(b, 0),
        color: "#161616", weight: 1, fillColor: b < 0 ? "#ffffff" : palette[b], fillOpacity: 0.85
      });
      var label = r.name + " : " + (r[key] === null || r[key] === undefined ? "—" : r[key].toLocaleString("fr-FR"));
      marker.bindTooltip(label);
      layer.addLayer(marker);
    });
    var legend = document.getElementById("dashboard-map-legend");
    legend.innerHTML = "";
    palette.forEach(function (colour, i) {
      var span = document.createElement("span"), dot = document.createElement("i");
      dot.style.background = colour;
      span.appendChild(dot);
      span.appendChild(document.createTextNode(["plus faible", "", "médian", "", "plus élevé"][i] || ""));
      legend.appendChild(span);
    });
  }
  indicator.addEventListener("change", draw);
  level.addEventListener("change", draw);
  draw();
}());

/* Carte des 1000 premiers jours : the server aggregates (régions, départements, clusters,
   points); this script only draws them over the territory outlines (core/outlines.js) and
   keeps the list and the permalink in sync. */
(function () {
  "use strict";
  var element = document.getElementById("carte");
  if (!element || !window.L || !window.TPJOutlines) { return; }
  var config = JSON.parse(element.getAttribute("data-config"));
  var status = document.getElementById("carte-etat");
  var params = new URLSearchParams(window.location.search);
  var map = L.map(element, { zoomSnap: 1, minZoom: 3 });
  var bbox = params.get("bbox");
  if (bbox) {
    var b = bbox.split(",").map(Number);
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  } else {
    map.setView([46.6, 2.4], 5);
  }
  TPJOutlines.tiles(map, config.tiles, config.attribution);
  TPJOutlines.drawFrance(map).then(function (outlines) { TPJOutlines.insets(map, outlines.regions); });
  var layer = L.layerGroup().addTo(map);
  // On a phone the list/map switch hides one of them: the map measures itself again when shown.
  var shown = document.getElementById("vue-carte");
  if (shown) { shown.addEventListener("change", function () { map.invalidateSize(); }); }
  var pending = null;

  function filterParams() {
    var query = new URLSearchParams(window.location.search);
    query.delete("bbox"); query.delete("page"); query.delete("zoom");
    return query;
  }

  function countIcon(count, territory) {
    var size = Math.round(28 + Math.min(30, Math.log10(count + 1) * 10));
    return L.divIcon({
      className: "registry-count" + (territory ? " registry-count--territory" : ""),
      html: "<span>" + count.toLocaleString("fr-FR") + "</span>", iconSize: [size, size],
      // A territory's count sits right under its name, both centred on the shape's label point.
      iconAnchor: territory ? [size / 2, -9] : [size / 2, size / 2]
    });
  }

  /* { code: [lat, lon] } of the shapes' label points at the API's level ("region" or
     "departement"): the outline files, fetched once (the départements' from zoom 6 on). */
  function labelPoints(level) {
    return TPJOutlines.load(level === "region" ? "regions" : "departements").then(function (geojson) {
      var points = {};
      geojson.features.forEach(function (f) { points[f.properties.code] = [f.properties.label[1], f.properties.label[0]]; });
      return points;
    }, function () { return {}; });
  }

  function fiches(count, adjective) {
    var plural = count > 1 ? "s" : "";
    return count.toLocaleString("fr-FR") + " fiche" + plural + (adjective ? " " + adjective + plural : "");
  }

  function zoomTo(lat, lon, zoom) { map.setView([lat, lon], Math.min(map.getZoom() + zoom, 18)); }

  var drawn = 0;  // the latest answer drawn wins over a slower label file

  function draw(data) {
    var turn = ++drawn;
    if (data.territories) {
      labelPoints(data.level).then(function (points) { if (turn === drawn) { drawItems(data, points); } });
    } else {
      drawItems(data, {});
    }
  }

  function drawItems(data, points) {
    layer.clearLayers();
    (data.territories || []).forEach(function (t) {
      var at = points[t.code] || [t.lat, t.lon];
      var marker = L.marker(at, { icon: countIcon(t.count, true), title: t.name + " : " + fiches(t.count), alt: t.name, keyboard: true });
      marker.on("click", function () { zoomTo(at[0], at[1], 2); });
      marker.addTo(layer);
    });
    (data.clusters || []).forEach(function (c) {
      var marker = L.marker([c[0], c[1]], { icon: countIcon(c[2], false), title: fiches(c[2]), keyboard: true });
      marker.on("click", function () { zoomTo(c[0], c[1], 2); });
      marker.addTo(layer);
    });
    (data.points || []).forEach(function (p) {
      var marker = L.circleMarker([p[1], p[2]], { radius: 7, color: "#000091", fillColor: "#6a6af4", fillOpacity: 0.9 });
      marker.bindPopup('<a href="' + config.entryUrl.replace("/0/", "/" + p[0] + "/") + '">Voir la fiche n° ' + p[0] + "</a>");
      marker.addTo(layer);
    });
    if (status) {
      var labels = { region: "par région", departement: "par département", coarse: "par secteur", fine: "par secteur", points: "fiches" };
      status.textContent = fiches(data.total, "vérifiée") + " dans la vue — " + (labels[data.level] || "");
    }
  }

  function refresh() {
    var bounds = map.getBounds();
    var box = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (v) { return Math.max(-180, Math.min(180, v)).toFixed(4); }).join(",");
    var query = filterParams();
    query.set("bbox", box);
    query.set("zoom", map.getZoom());
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(config.api + "?" + query.toString(), { signal: pending.signal, headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
      .then(draw)
      .catch(function (error) { if (error.name !== "AbortError" && status) { status.textContent = "La carte n'a pas pu être chargée."; } });
    // Keep the list and the permalink in sync with the map once zoomed in.
    var listQuery = filterParams();
    if (map.getZoom() >= 8) { listQuery.set("bbox", box); }
    var url = window.location.pathname + (listQuery.toString() ? "?" + listQuery.toString() : "");
    window.history.replaceState(null, "", url);
    if (window.htmx && document.getElementById("resultats")) {
      window.htmx.ajax("GET", url, { target: "#resultats", swap: "innerHTML" });
    }
  }

  map.on("moveend", refresh);
  function refreshMapOnly() {
    var bounds = map.getBounds();
    var query = filterParams();
    query.set("bbox", [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (v) { return Math.max(-180, Math.min(180, v)).toFixed(4); }).join(","));
    query.set("zoom", map.getZoom());
    fetch(config.api + "?" + query.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); }).then(draw);
  }
  refreshMapOnly();
})();

/* Projetothèque map: the same filtered projects as the list (GeoJSON of the same query). */
(function () {
  "use strict";
  var el = document.getElementById("projects-map");
  if (!el || typeof L === "undefined") { return; }
  var map = L.map(el, { scrollWheelZoom: false }).setView([46.6, 2.4], 5);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);
  }
  var markers = {};
  function highlightCard(id) {
    document.querySelectorAll("[data-project]").forEach(function (card) {
      card.setAttribute("aria-current", card.dataset.project === String(id) ? "true" : "false");
    });
    var card = document.getElementById("projet-" + id);
    if (card) { card.scrollIntoView({ block: "nearest" }); }
  }
  fetch(el.dataset.geojson, { headers: { Accept: "application/geo+json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var bounds = [];
      data.features.forEach(function (f) {
        var p = f.properties, ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
        var marker = L.circleMarker(ll, { radius: p.coup_de_coeur ? 10 : 7, color: "#000091", fillColor: p.coup_de_coeur ? "#e1000f" : "#6a6af4", fillOpacity: 0.8, weight: 2 });
        var link = document.createElement("a");
        link.href = p.page;
        link.textContent = p.titre;
        var popup = document.createElement("div");
        popup.appendChild(link);
        popup.appendChild(document.createElement("br"));
        popup.appendChild(document.createTextNode(p.porteur + " — " + p.region + " " + p.annee));
        marker.bindPopup(popup);
        marker.on("click", function () { highlightCard(p.id); });
        marker.addTo(map);
        markers[p.id] = marker;
        bounds.push(ll);
      });
      if (bounds.length) { map.fitBounds(bounds, { maxZoom: 10, padding: [20, 20] }); }
    });
  document.querySelectorAll("[data-locate]").forEach(function (button) {
    button.addEventListener("click", function () {
      var marker = markers[button.dataset.locate];
      if (marker) { map.setView(marker.getLatLng(), 10); marker.openPopup(); highlightCard(button.dataset.locate); el.focus(); }
    });
  });
}());

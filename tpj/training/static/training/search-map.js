/* The training search's map: every session matching the page's filters (not only the list's
   page), one circle per commune (per département when the search is broad) sized by its number
   of sessions, over the territory outlines
   (core/outlines.js; tiles only when configured). The data is the API's map of the same query
   (/api/v1/training/carte/?<the page's query string>): list and map show the same search, and
   the page's URL stays its permalink. A circle is a button (Tab, then Entrée or Espace) that
   opens the place's popup: its sessions, the offers' titles when the search has few
   sessions, and a link to the list of those sessions. Text only, never HTML. */
(function () {
  "use strict";
  var el = document.getElementById("carte-formations");
  var status = document.getElementById("carte-formations-etat");
  if (!el || typeof L === "undefined" || !window.TPJOutlines) { return; }
  var map = L.map(el, { scrollWheelZoom: false }).setView([46.6, 2.4], 5);
  TPJOutlines.tiles(map, el.dataset.tiles, el.dataset.attribution);
  TPJOutlines.drawFrance(map).then(function (outlines) { TPJOutlines.insets(map, outlines.regions); });

  function plural(count, singular, several) { return count > 1 ? several : singular; }
  function say(text) { if (status) { status.textContent = text; } }

  function popup(point) {
    var box = document.createElement("div");
    var title = document.createElement("p");
    title.className = "fr-text--bold fr-mb-1w";
    title.textContent = point.nom + " : " + point.sessions + " " + plural(point.sessions, "session", "sessions");
    box.appendChild(title);
    if (point.offres && point.offres.length) {
      var list = document.createElement("ul");
      list.className = "fr-text--sm fr-mb-1w";
      point.offres.forEach(function (name) {
        var item = document.createElement("li");
        item.textContent = name;
        list.appendChild(item);
      });
      if (point.autres_offres) {
        var more = document.createElement("li");
        more.textContent = "et " + point.autres_offres + " " + plural(point.autres_offres, "autre offre", "autres offres");
        list.appendChild(more);
      }
      box.appendChild(list);
    }
    var link = document.createElement("a");
    var query = new URLSearchParams(el.dataset.query || "");
    ["autour", "km", "region", "departement", "page", "tri"].forEach(function (key) { query.delete(key); });
    if (point.departement) {
      query.set("departement", point.departement);
      link.textContent = "Voir la liste des sessions du département";
    } else {
      query.set("autour", point.commune);
      query.set("km", "5");
      link.textContent = "Voir la liste des sessions à moins de 5 km";
    }
    link.href = el.dataset.list + "?" + query.toString() + "#resultats";
    link.className = "fr-link fr-text--sm";
    box.appendChild(link);
    return box;
  }

  fetch(el.dataset.url, { headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : Promise.reject(response); })
    .then(function (data) {
      var largest = data.points.length ? data.points[0].sessions : 1;
      var bounds = [];
      data.points.forEach(function (point) {
        var radius = 4 + 14 * Math.sqrt(point.sessions / largest);
        var marker = L.circleMarker([point.lat, point.lon], {
          radius: radius, color: "#000091", weight: 1, fillColor: "#6a6af4", fillOpacity: 0.6
        }).addTo(map);
        marker.bindPopup(function () { return popup(point); });
        var path = marker.getElement();
        if (path) {
          path.setAttribute("tabindex", "0");
          path.setAttribute("role", "button");
          path.setAttribute("aria-label", point.nom + " : " + point.sessions + " " + plural(point.sessions, "session", "sessions"));
          path.addEventListener("keydown", function (event) {
            if (event.key === "Enter" || event.key === " ") { event.preventDefault(); marker.openPopup(); }
          });
        }
        bounds.push([point.lat, point.lon]);
      });
      if (bounds.length && data.niveau === "communes" && data.lieux < 300) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 10 }); }
      var text = data.niveau === "communes"
        ? data.lieux + " " + plural(data.lieux, "commune", "communes") + " sur la carte"
        : "Sessions regroupées par département (" + data.lieux + " " + plural(data.lieux, "département", "départements") + ")";
      if (data.a_distance) {
        text += " ; " + data.a_distance + " " + plural(data.a_distance, "session à distance", "sessions à distance") + " (sans lieu sur la carte)";
      }
      say(text + ".");
    })
    .catch(function () { say("La carte n'a pas pu être chargée : la liste présente les mêmes sessions."); });
})();

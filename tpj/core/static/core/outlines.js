/* Territory outlines for every map of the site, drawn from static files (core/outlines/,
   built by scripts/build_outlines.py): France, its régions and départements with their
   names, before and whether or not a tile loads. Tiles are an option (MAP_TILES_URL).
   The five régions d'outre-mer are drawn in insets below the map: each inset is a button
   that brings the main map to the territory. Loaded after leaflet.js, before the maps, by
   a script tag that names the files ({% static %}: hashed names in production):
   <script src="…/outlines.js" data-regions="…" data-departements="…"></script> */
(function () {
  "use strict";
  if (!window.L) { return; }
  var files = document.currentScript.dataset;
  var cache = {};
  var FRANCE = [[41.3, -5.2], [51.1, 9.6]];
  var OVERSEAS = ["01", "02", "03", "04", "06"];  // région codes of the DROM
  var OUTLINE = { color: "#3a3a3a", weight: 1, fillColor: "#f6f6f6", fillOpacity: 1 };

  /* The GeoJSON of "regions" or "departements", fetched once per page (the browser caches the file). */
  function load(level) {
    if (!cache[level]) {
      cache[level] = fetch(files[level], { headers: { Accept: "application/geo+json, application/json" } })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response); });
    }
    return cache[level];
  }

  function regionOf(feature) { return feature.properties.region || feature.properties.code; }
  function isOverseas(feature) { return OVERSEAS.indexOf(regionOf(feature)) !== -1; }

  /* The map's own pane under the markers, so shapes never hide counts or points. */
  function outlinePane(map) {
    if (!map.getPane("outlines")) {
      map.createPane("outlines").style.zIndex = 350;
      map.createPane("outline-labels").style.zIndex = 450;
      map.getPane("outline-labels").style.pointerEvents = "none";
    }
    return "outlines";
  }

  /* A GeoJSON layer of the territories; `style(feature)` and `onEachFeature` are Leaflet's. */
  function layer(map, geojson, options) {
    options = options || {};
    return L.geoJSON(geojson, {
      pane: outlinePane(map),
      interactive: !!options.onEachFeature,
      style: options.style || function () { return OUTLINE; },
      onEachFeature: options.onEachFeature,
      filter: options.filter
    });
  }

  /* The names, written at each territory's label point; `text(feature)` may add a figure. */
  function labels(map, geojson, options) {
    options = options || {};
    var group = L.layerGroup();
    geojson.features.forEach(function (feature) {
      if (options.filter && !options.filter(feature)) { return; }
      var text = options.text ? options.text(feature) : feature.properties.nom;
      var point = feature.properties.label;
      var span = document.createElement("span");
      span.textContent = text;
      L.marker([point[1], point[0]], {
        pane: "outline-labels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "tpj-outline-label" + (options.small ? " tpj-outline-label--small" : ""), html: span.outerHTML, iconSize: null })
      }).addTo(group);
    });
    return group;
  }

  /* Optional base tiles: none when MAP_TILES_URL is empty; the outlines stay underneath
     and show through wherever a tile fails. */
  function tiles(map, url, attribution, maxZoom) {
    if (url) { L.tileLayer(url, { attribution: attribution, maxZoom: maxZoom || 18 }).addTo(map); }
  }

  /* France's régions with their names under whatever the map draws, and from zoom 7 the
     départements (fetched then only). Returns a promise of { regions } GeoJSON. */
  function drawFrance(map) {
    outlinePane(map);
    return load("regions").then(function (regions) {
      var regionLabels = labels(map, regions, { filter: function (f) { return !isOverseas(f); } });
      var departementLayers = null;
      layer(map, regions).addTo(map);
      function show(item, visible) { if (visible) { item.addTo(map); } else { map.removeLayer(item); } }
      function byZoom() {
        var detailed = map.getZoom() >= 7;
        show(regionLabels, !detailed && map.getZoom() >= 5);
        if (detailed && !departementLayers) {
          departementLayers = load("departements").then(function (departements) {
            return [
              layer(map, departements, { style: function () { return { color: "#929292", weight: 0.6, fill: false }; } }),
              labels(map, departements, { small: true })
            ];
          });
        }
        if (departementLayers) {
          departementLayers.then(function (items) {
            items.forEach(function (item) { show(item, map.getZoom() >= 7); });
          });
        }
      }
      map.on("zoomend", byZoom);
      byZoom();
      // For scripts/first_render.py (issue 19): when the régions and their names are on the map.
      if (window.performance && performance.mark) { performance.mark("tpj-outlines-drawn"); }
      return { regions: regions };
    });
  }

  /* Insets of the régions d'outre-mer, in a strip right after the map: small maps drawn with
     the same `style`, each a button that fits the main map to its territory. Returns an
     object whose restyle() redraws them after a change of colours. */
  function insets(map, regions, options) {
    options = options || {};
    var container = document.createElement("div");
    container.className = "tpj-insets";
    container.setAttribute("role", "group");
    container.setAttribute("aria-label", "Régions d'outre-mer");
    map.getContainer().insertAdjacentElement("afterend", container);
    var layers = [];
    regions.features.filter(isOverseas).forEach(function (feature) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "tpj-inset";
      button.setAttribute("aria-label", "Centrer la carte sur " + feature.properties.nom);
      var box = document.createElement("div");
      box.className = "tpj-inset__map";
      box.setAttribute("aria-hidden", "true");
      var caption = document.createElement("span");
      caption.className = "tpj-inset__name";
      caption.textContent = feature.properties.nom;
      button.appendChild(box);
      button.appendChild(caption);
      container.appendChild(button);
      var inset = L.map(box, {
        attributionControl: false, zoomControl: false, dragging: false, scrollWheelZoom: false, doubleClickZoom: false,
        boxZoom: false, keyboard: false, touchZoom: false, zoomSnap: 0.25
      });
      var shape = L.geoJSON(feature, { style: options.style || function () { return OUTLINE; }, interactive: false }).addTo(inset);
      inset.fitBounds(shape.getBounds(), { padding: [4, 4] });
      layers.push({ layer: shape, feature: feature });
      button.addEventListener("click", function () {
        map.fitBounds(shape.getBounds(), { maxZoom: 9 });
        if (options.onSelect) { options.onSelect(feature); }
      });
    });
    return {
      restyle: function (style) { layers.forEach(function (item) { item.layer.setStyle(style); }); }
    };
  }

  window.TPJOutlines = {
    FRANCE: FRANCE, load: load, layer: layer, labels: labels, tiles: tiles,
    drawFrance: drawFrance, insets: insets, isOverseas: isOverseas
  };
})();

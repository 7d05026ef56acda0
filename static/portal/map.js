// Maps from our own static files: Leaflet, tiles only when MAP_TILE_URL is set, GeoJSON outlines.
// Without tiles (none configured or none reachable) the outlines and points still show.
(function () {
  "use strict";
  function create(box) {
    // maxZoom on the map itself: without tiles the clusterer has no other to read.
    var map = L.map(box, { attributionControl: !!box.getAttribute("data-attribution"), maxZoom: 18 });
    var tiles = box.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: box.getAttribute("data-attribution") || "" }).addTo(map);
    }
    var lat = parseFloat(box.getAttribute("data-lat")), long = parseFloat(box.getAttribute("data-long"));
    if (!isNaN(lat) && !isNaN(long)) map.setView([lat, long], 14);
    return map;
  }
  function style(feature) {
    var p = feature.properties || {};
    if (p.level === "community") return { color: "#0969da", weight: 2, fill: false };
    if (p.kind === "outer") return { color: "#9a6700", weight: 1, dashArray: "4 3", fillOpacity: 0.08 };
    return { color: "#1a7f37", weight: 1, fillOpacity: 0.06 };
  }
  function outlines(map, geojson) {
    return L.geoJSON(geojson, {
      style: style,
      onEachFeature: function (feature, layer) {
        if (feature.properties && feature.properties.name) layer.bindTooltip(feature.properties.name, { sticky: true });
      }
    }).addTo(map);
  }
  // Point in a GeoJSON Polygon/MultiPolygon (ray casting; holes count as outside).
  function inRing(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function contains(geometry, long, lat) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return polygons.some(function (rings) {
      return inRing(rings[0], long, lat) && !rings.slice(1).some(function (h) { return inRing(h, long, lat); });
    });
  }
  function pin(cls) {
    return L.divIcon({ className: "", html: '<div class="pin ' + cls + '"></div>', iconSize: [18, 18] });
  }
  window.PortalMap = { create: create, outlines: outlines, contains: contains, pin: pin };
})();

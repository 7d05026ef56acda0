// The staff map: the cases of my area (clustered) over my grid and community outlines.
(function () {
  "use strict";
  var box = document.getElementById("case-map");
  if (!box || !window.L || !window.PortalMap) return;
  var outlines = JSON.parse(document.getElementById("map-outlines").textContent);
  var cases = JSON.parse(document.getElementById("map-cases").textContent);
  var map = PortalMap.create(box);
  box.portalMap = map;
  var drawn = PortalMap.outlines(map, outlines);
  var cluster = L.markerClusterGroup({ maxClusterRadius: 50, showCoverageOnHover: false });
  cases.forEach(function (c) {
    var link = document.createElement("a");
    link.href = c.url;
    link.textContent = c.code + " · " + c.category + " · " + c.status;
    var marker = L.marker([c.lat, c.long], { icon: PortalMap.pin(c.open ? "open" : "done"), title: c.code });
    marker.bindPopup(link);
    cluster.addLayer(marker);
  });
  map.addLayer(cluster);
  var bounds = drawn.getBounds();
  if (cases.length) bounds = bounds.isValid() ? bounds.extend(cluster.getBounds()) : cluster.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], maxZoom: 16 });
  else if (!map._loaded) map.setView([30.6, 114.3], 12);
  box.setAttribute("data-ready", "1");
})();

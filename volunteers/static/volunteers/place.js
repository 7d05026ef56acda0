// The activity's place on a small map (our own Leaflet; tiles only when MAP_TILE_URL is set).
// Without this script, or without Leaflet, the address and the navigation link still show.
(function () {
  var box = document.getElementById("place-map");
  if (!box || !window.L) return;
  var here = [parseFloat(box.dataset.lat), parseFloat(box.dataset.long)];
  if (isNaN(here[0]) || isNaN(here[1])) return;
  var map = L.map(box, {attributionControl: false, maxZoom: 18}).setView(here, 16);
  if (box.dataset.tiles) L.tileLayer(box.dataset.tiles, {maxZoom: 18}).addTo(map);
  var icon = L.divIcon({className: "", html: '<div class="pin"></div>', iconSize: [18, 18]});
  L.marker(here, {icon: icon, title: box.dataset.place || ""}).addTo(map);
})();

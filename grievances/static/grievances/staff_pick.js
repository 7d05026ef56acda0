// Staff intake forms: a tap on the map fills the latitude/longitude inputs (they stay plain
// inputs without the script); typing in them moves the pin.
(function () {
  "use strict";
  var box = document.getElementById("pick-map");
  var form = box && box.closest("form");
  if (!form || !window.L || !window.PortalMap) return;
  var lat = form.elements.lat, long = form.elements.long;
  if (!lat || !long) return;
  box.hidden = false;
  var map = PortalMap.create(box), pinned = null;
  var drawn = PortalMap.outlines(map, JSON.parse(document.getElementById("pick-outlines").textContent));
  function show(y, x) {
    if (pinned) pinned.setLatLng([y, x]);
    else pinned = L.marker([y, x], { icon: PortalMap.pin("me") }).addTo(map);
  }
  function pick(e) {
    lat.value = e.latlng.lat.toFixed(6);
    long.value = e.latlng.lng.toFixed(6);
    show(e.latlng.lat, e.latlng.lng);
  }
  map.on("click", pick);
  drawn.on("click", pick);
  function typed() {
    var y = parseFloat(lat.value), x = parseFloat(long.value);
    if (!isNaN(y) && !isNaN(x)) show(y, x);
  }
  lat.addEventListener("change", typed);
  long.addEventListener("change", typed);
  if (drawn.getBounds().isValid()) map.fitBounds(drawn.getBounds(), { maxZoom: 16 });
  typed();
  box.setAttribute("data-ready", "1");
})();

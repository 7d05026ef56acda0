// The finder: ask the phone for its location, reload with it; draw the stations on a map.
// Works without tiles (points still show) and without this script (the community list).
(function () {
  var form = document.getElementById("finder");
  var button = document.getElementById("locate");
  var status = document.getElementById("locate-status");
  function locate() {
    if (!navigator.geolocation) { status.textContent = button.dataset.none || "无法定位，请选择社区"; return; }
    status.textContent = "定位中…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.lat.value = pos.coords.latitude.toFixed(6);
      form.elements.long.value = pos.coords.longitude.toFixed(6);
      form.elements.community.value = "";
      form.submit();
    }, function () {
      status.textContent = "未获得位置权限，请在下方选择社区";
    }, {enableHighAccuracy: true, timeout: 10000, maximumAge: 60000});
  }
  button.addEventListener("click", locate);
  if (!form.elements.lat.value && !form.elements.community.value && !sessionStorage.getItem("stations.asked")) {
    sessionStorage.setItem("stations.asked", "1");
    locate();
  }
  form.elements.community.addEventListener("change", function () {
    form.elements.lat.value = ""; form.elements.long.value = "";
  });
  var box = document.getElementById("map");
  if (!box || !window.L) return;
  var markers = JSON.parse(document.getElementById("station-markers").textContent);
  var here = [parseFloat(box.dataset.lat), parseFloat(box.dataset.long)];
  var map = L.map(box, {attributionControl: false}).setView(here, 14);
  if (box.dataset.tiles) L.tileLayer(box.dataset.tiles, {maxZoom: 18}).addTo(map);
  function pin(cls) { return L.divIcon({className: "", html: '<div class="pin ' + cls + '"></div>', iconSize: [18, 18]}); }
  L.marker(here, {icon: pin("me")}).addTo(map);
  var bounds = [here];
  markers.forEach(function (m) {
    var a = document.createElement("a"); a.href = m.url; a.textContent = m.name;
    L.marker([m.lat, m.long], {icon: pin(m.open ? "open" : "closed"), title: m.name}).addTo(map).bindPopup(a);
    bounds.push([m.lat, m.long]);
  });
  if (bounds.length > 1) map.fitBounds(bounds, {padding: [20, 20], maxZoom: 16});
})();

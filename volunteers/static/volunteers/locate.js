// Fill the check-in form with the phone's location (asked once, when the page opens).
(function () {
  var form = document.getElementById("checkin");
  if (!form || !navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(function (pos) {
    document.getElementById("lat").value = pos.coords.latitude.toFixed(6);
    document.getElementById("long").value = pos.coords.longitude.toFixed(6);
  });
})();

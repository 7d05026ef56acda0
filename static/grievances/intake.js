// The intake form's small helpers. Without this script the form still works: the community
// and compound lists are grouped by street and community, and every category's questions show.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) return;

  // Dependent selects: keep only the options whose data-parent is the chosen parent.
  function narrow(parent, child) {
    var original = child.innerHTML;
    function apply() {
      var keep = parent.value, current = child.value;
      child.innerHTML = original;
      if (keep) {
        Array.prototype.slice.call(child.querySelectorAll("option[data-parent]")).forEach(function (o) {
          if (o.getAttribute("data-parent") !== keep) o.parentNode.removeChild(o);
        });
        Array.prototype.slice.call(child.querySelectorAll("optgroup")).forEach(function (g) {
          if (!g.querySelector("option")) g.parentNode.removeChild(g);
        });
      }
      child.value = current;
      if (child.value !== current) child.value = "";
      child.dispatchEvent(new Event("change"));
    }
    parent.addEventListener("change", apply);
    apply();
  }
  var street = form.elements.street, community = form.elements.community, compound = form.elements.compound;
  // A community chosen first (e.g. after a server-side error) fills in its street.
  if (!street.value && community.value) {
    var chosen = community.options[community.selectedIndex];
    if (chosen && chosen.getAttribute("data-parent")) street.value = chosen.getAttribute("data-parent");
  }
  narrow(community, compound);
  narrow(street, community);

  // Only the chosen category's extra questions are shown.
  var category = form.elements.category;
  function showQuestions() {
    Array.prototype.forEach.call(form.querySelectorAll(".questions"), function (box) {
      box.hidden = box.getAttribute("data-category") !== category.value;
    });
  }
  category.addEventListener("change", showQuestions);
  showQuestions();

  // "Use my location": fills the hidden lat/long (needs HTTPS; some WeChat versions refuse).
  var button = document.getElementById("locate"), status = document.getElementById("locate-status");
  if (navigator.geolocation && button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.getAttribute("data-wait") || "…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lat.value = pos.coords.latitude.toFixed(6);
        form.elements.long.value = pos.coords.longitude.toFixed(6);
        setPoint(pos.coords.latitude, pos.coords.longitude, true);
        status.textContent = (button.getAttribute("data-ok") || "✓") + " " +
          form.elements.lat.value + ", " + form.elements.long.value;
      }, function () {
        status.textContent = button.getAttribute("data-fail") || "✗";
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  // The map: a tap sets the hidden lat/long, and the community (and street) the point is in.
  // Routing then puts the case in the grid whose outline holds the point.
  var box = document.getElementById("pick-map");
  var setPoint = function () {};
  if (box && window.L && window.PortalMap) {
    box.hidden = false;
    document.getElementById("pick-help").hidden = false;
    var map = PortalMap.create(box), pinned = null, outlines = null;
    box.portalMap = map;  // for the browser tests: they tap a known point
    setPoint = function (lat, long, pan) {
      form.elements.lat.value = lat.toFixed(6);
      form.elements.long.value = long.toFixed(6);
      if (pinned) pinned.setLatLng([lat, long]);
      else pinned = L.marker([lat, long], { icon: PortalMap.pin("me") }).addTo(map);
      if (pan) map.setView([lat, long], Math.max(map.getZoom() || 0, 15));
      status.textContent = (box.getAttribute("data-picked") || "✓") + " " +
        form.elements.lat.value + ", " + form.elements.long.value;
      if (!outlines) return;
      var hit = outlines.features.filter(function (f) { return PortalMap.contains(f.geometry, long, lat); })[0];
      if (hit) {
        street.value = String(hit.properties.street);
        street.dispatchEvent(new Event("change"));
        community.value = String(hit.properties.id);
        community.dispatchEvent(new Event("change"));
      }
    };
    map.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, false); });
    fetch(box.getAttribute("data-outlines"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        outlines = data;
        var layer = PortalMap.outlines(map, data);
        layer.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, false); });
        if (layer.getBounds().isValid() && !form.elements.lat.value) map.fitBounds(layer.getBounds());
        box.setAttribute("data-ready", "1");
      })
      .catch(function () { box.setAttribute("data-ready", "1"); });
    if (form.elements.lat.value && form.elements.long.value) {
      setPoint(parseFloat(form.elements.lat.value), parseFloat(form.elements.long.value), true);
    }
  }

  // At most three photos, said before the upload rather than after it.
  var photos = form.elements.photos;
  if (photos) {
    photos.addEventListener("change", function () {
      photos.setCustomValidity(photos.files.length > 3 ? (photos.getAttribute("data-too-many") || "3") : "");
      photos.reportValidity();
    });
  }

  // After a refused submission, bring the first problem into view (phones show little at once).
  var firstError = form.querySelector(".has-error");
  if (firstError && firstError.scrollIntoView) firstError.scrollIntoView({ block: "center" });

  // One tap only: a slow mobile network must not make two cases.
  form.addEventListener("submit", function () {
    var submit = form.querySelector("button[type=submit]");
    setTimeout(function () { submit.disabled = true; }, 0);
  });
})();

// The member code changes by itself shortly before it expires, and on "New code" without a reload.
(function () {
  "use strict";
  var box = document.querySelector(".membercode"), form = document.getElementById("refresh");
  if (!box || !form) return;
  var seconds = parseInt(box.dataset.seconds, 10) || 60;
  function refresh(ev) {
    if (ev) ev.preventDefault();
    fetch(box.dataset.refresh, {method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value}})
      .then(function (r) { if (!r.ok) throw r; return r.json(); })
      .then(function (d) {
        document.getElementById("qr").innerHTML = d.svg;
        document.getElementById("digits").textContent = d.digits.slice(0, 4) + " " + d.digits.slice(4);
      }).catch(function () {});
  }
  form.addEventListener("submit", refresh);
  setInterval(refresh, Math.max(10, seconds - 10) * 1000);
})();

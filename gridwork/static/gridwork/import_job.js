// The register import's progress bar: poll the job's JSON every two seconds and reload the page
// when the job is over (the page then shows the result). Without this script the page keeps a
// reload link.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !window.fetch) return;
  var bar = document.getElementById("import-bar");
  var status = document.getElementById("import-status");
  var url = box.getAttribute("data-url");

  function show(job) {
    if (job.percent === null) {
      bar.removeAttribute("value");
    } else {
      bar.value = job.percent;
      bar.textContent = job.percent + "%";
    }
    var rows = job.rows_checked + " / " + (job.rows_total === null ? "?" : job.rows_total);
    if (job.rows_written) rows += " · " + job.rows_written;
    status.textContent = job.state_display + ": " + rows;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) return setTimeout(poll, 5000);
        show(job);
        if (job.finished) {
          window.location.reload();
        } else {
          setTimeout(poll, 2000);
        }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();

/* Draws the dashboard charts from the figures the page embeds (json_script "dash-charts").
   Served from our own static files with the vendored ECharts; no network at run time. */
(function () {
  "use strict";
  var el = document.getElementById("dash-charts");
  if (!el || !window.echarts) return;
  var data = JSON.parse(el.textContent);
  var dark = document.body.classList.contains("screen");
  var ink = dark ? "#e6edf6" : "#1f2328";
  var line = dark ? "#1f3b6b" : "#d0d7de";
  var palette = ["#c8102e", "#1f6feb", "#2da44e", "#bf8700", "#8250df", "#e16f24", "#0a7f8a", "#6e7781"];
  if (dark) palette = ["#ff7b72", "#58a6ff", "#3fb950", "#d29922", "#bc8cff", "#ffa657", "#39c5cf", "#8b949e"];
  var small = window.innerWidth < 640;
  var font = dark ? Math.max(14, Math.round(window.innerWidth / 110)) : (small ? 11 : 13);
  var L = data.labels;

  function axis(extra) {
    return Object.assign({
      axisLabel: { color: ink, fontSize: font },
      axisLine: { lineStyle: { color: line } },
      splitLine: { lineStyle: { color: line } }
    }, extra || {});
  }
  // Tooltips drawn on the canvas: ECharts' HTML tooltips carry style="" attributes, which the
  // Content-Security-Policy refuses (style-src 'self').
  function tip(extra) {
    return Object.assign({ confine: true, renderMode: "richText" }, extra);
  }
  function base(extra) {
    return Object.assign({
      color: palette,
      textStyle: { fontSize: font, color: ink },
      tooltip: tip({ trigger: "axis" }),
      legend: { top: 0, textStyle: { color: ink, fontSize: font } },
      grid: { left: 8, right: 16, top: 34, bottom: 8, containLabel: true },
      animation: !dark
    }, extra);
  }
  var options = {
    trend: function (d) {
      return base({
        xAxis: axis({ type: "category", data: d.weeks }),
        yAxis: axis({ type: "value", minInterval: 1 }),
        series: [
          { name: L.received, type: "line", smooth: true, data: d.received, symbolSize: 6 },
          { name: L.closed, type: "line", smooth: true, data: d.closed, symbolSize: 6 }
        ]
      });
    },
    funnel: function (d, node) {
      var slot = Math.max(40, node.clientWidth / d.names.length - 6);
      return base({
        legend: { show: false },
        xAxis: axis({ type: "category", data: d.names,
          axisLabel: { color: ink, fontSize: font, interval: 0, formatter: function (v) {
            // Two lines when the labels would touch ("网格" / "办结").
            if (v.length < 4 || v.length * font * 1.15 < slot - 8) return v;
            var half = Math.ceil(v.length / 2);
            return v.slice(0, half) + "\n" + v.slice(half);
          } } }),
        yAxis: axis({ type: "value", minInterval: 1 }),
        series: [{ type: "bar", data: d.values, barMaxWidth: 48, label: { show: true, position: "top", color: ink, fontSize: font },
          itemStyle: { color: function (p) { return p.dataIndex === 0 ? palette[1] : palette[0]; } } }]
      });
    },
    category: function (d) {
      return base({
        tooltip: tip({ trigger: "axis", axisPointer: { type: "shadow" } }),
        xAxis: axis({ type: "value", minInterval: 1 }),
        yAxis: axis({ type: "category", data: d.names, axisLabel: { color: ink, fontSize: font, width: small ? 80 : 130, overflow: "truncate" } }),
        series: [
          { name: L.received, type: "bar", data: d.received, barMaxWidth: 18 },
          { name: L.closed, type: "bar", data: d.closed, barMaxWidth: 18 }
        ]
      });
    },
    channel: function (d) {
      return base({
        tooltip: tip({ trigger: "item" }),
        legend: { show: false },
        series: [{ type: "pie", radius: ["32%", "58%"], center: ["50%", "52%"], data: d,
          labelLayout: { hideOverlap: true },
          label: { color: ink, fontSize: font, formatter: "{b}\n{d}%", width: font * 5, overflow: "break" } }]
      });
    },
    children: function (d) {
      return base({
        tooltip: tip({ trigger: "axis", axisPointer: { type: "shadow" } }),
        xAxis: axis({ type: "category", data: d.names, axisLabel: { color: ink, fontSize: font, interval: 0, rotate: d.names.length > 6 ? 40 : 0 } }),
        yAxis: axis({ type: "value", minInterval: 1 }),
        series: [
          { name: L.received, type: "bar", data: d.received, barMaxWidth: 28 },
          { name: L.closed, type: "bar", data: d.closed, barMaxWidth: 28 }
        ]
      });
    }
  };
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (node) {
    var key = node.getAttribute("data-chart");
    if (!options[key] || !data[key]) return;
    var chart = echarts.init(node, null, { renderer: "canvas" });
    chart.setOption(options[key](data[key], node));
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  var clock = document.getElementById("clock");
  if (clock) {
    setInterval(function () {
      var t = new Date();
      clock.textContent = ("0" + t.getHours()).slice(-2) + ":" + ("0" + t.getMinutes()).slice(-2);
    }, 10000);
  }
})();

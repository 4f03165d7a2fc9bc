/* Renders every .sifa-chart from its data-option (an ECharts option built on the server) with the
   platform's look: one palette, CJK font, labels that fit, resizing with the card. */
(function () {
  "use strict";
  var PALETTE = ["#0b5bd3", "#13a86b", "#f0a202", "#e5484d", "#7c5cdb", "#0fa3b1", "#8a6d3b", "#5d6b7e"];
  var FONT = getComputedStyle(document.body).fontFamily;

  function styled(option) {
    var base = {
      color: PALETTE,
      textStyle: { fontFamily: FONT, color: "#334155" },
      grid: { left: 12, right: 16, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: option.series && option.series.some(function (s) { return s.type === "pie"; }) ? "item" : "axis",
                 confine: true }
    };
    var merged = Object.assign({}, base, option);
    merged.grid = Object.assign({}, base.grid, option.grid || {}, { containLabel: true });
    if (merged.grid.bottom > 40) merged.grid.bottom = 8;  // containLabel already reserves axis labels
    (merged.series || []).forEach(function (s) {
      if (s.type === "bar") {
        s.barMaxWidth = s.barMaxWidth || 36;
        s.itemStyle = Object.assign({ borderRadius: [4, 4, 0, 0] }, s.itemStyle || {});
        s.label = Object.assign({ show: true, position: "top", color: "#475569" }, s.label || {});
      }
    });
    var integers = (merged.series || []).every(function (s) {
      return (s.data || []).every(function (d) {
        var v = valueOf(d);
        return typeof v !== "number" || Math.floor(v) === v;
      });
    });
    ["xAxis", "yAxis"].forEach(function (k) {
      var axes = merged[k];
      if (!axes) return;
      (Array.isArray(axes) ? axes : [axes]).forEach(function (a) {
        a.axisLabel = Object.assign({ color: "#5d6b7e", hideOverlap: true }, a.axisLabel || {});
        if (a.type === "value") {
          a.splitLine = Object.assign({ lineStyle: { color: "#edf0f5" } }, a.splitLine || {});
          if (integers && a.minInterval === undefined) a.minInterval = 1;  // counts: no 0.2 ticks
        }
        if (a.type === "category" && (a.data || []).length <= 8) a.axisLabel.rotate = 0;  // few labels fit flat
        if (a.type === "category") a.axisLine = Object.assign({ lineStyle: { color: "#cbd3df" } }, a.axisLine || {});
      });
    });
    return merged;
  }

  function valueOf(d) { return d !== null && typeof d === "object" ? d.value : d; }

  // Nothing to draw: no data points at all, or a pie whose slices are all zero (a grey disc).
  // A line of zeros is kept: "no alerts this week" is information.
  function isEmpty(option) {
    return !(option.series || []).some(function (s) {
      return (s.data || []).some(function (d) {
        if (s.type !== "pie") return true;
        var v = valueOf(d);
        return typeof v === "number" && v !== 0;
      });
    });
  }

  function emptyOption() {
    return {
      title: { text: document.body.dataset.emptyChartText || "—", left: "center", top: "middle",
               textStyle: { color: "#94a3b8", fontSize: 14, fontWeight: "normal", fontFamily: FONT } }
    };
  }

  function render() {
    if (!window.echarts) return;
    document.querySelectorAll(".sifa-chart").forEach(function (el) {
      var chart = echarts.init(el, null, { renderer: "svg" });
      var option = JSON.parse(el.dataset.option);
      chart.setOption(isEmpty(option) ? emptyOption() : styled(option));
      if (window.ResizeObserver) new ResizeObserver(function () { chart.resize(); }).observe(el);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render); else render();
})();

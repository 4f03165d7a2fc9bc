/* Province map: open monitoring alerts per county as a choropleth over the shipped outlines (WGS-84). */
(function () {
  "use strict";
  var el = document.getElementById("province-map");
  var dataEl = document.getElementById("province-data");
  if (!el || !dataEl || !window.L) return;
  var data = JSON.parse(dataEl.textContent);
  var max = 0;
  data.features.forEach(function (f) { max = Math.max(max, f.properties.count); });
  var STEPS = ["#f1f5f9", "#fde2e1", "#fbb4b0", "#f47c76", "#e5484d", "#b42318"];
  function color(n) {
    if (!n) return STEPS[0];
    // 1 → the lightest red, the maximum → the darkest
    var k = max <= 1 ? STEPS.length - 1 : 1 + Math.round((n - 1) / (max - 1) * (STEPS.length - 2));
    return STEPS[Math.min(k, STEPS.length - 1)];
  }
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false, preferCanvas: true });
  map.setView([27.6, 115.7], 7);  // a view first: the canvas renderer needs one before layers are added
  var layer = L.geoJSON({ type: "FeatureCollection", features: data.features }, {
    style: function (f) { return { color: "#64748b", weight: 1, fillColor: color(f.properties.count), fillOpacity: 0.85 }; },
    onEachFeature: function (f, l) {
      var tip = document.createElement("span");
      tip.textContent = f.properties.name + "：" + f.properties.count;  // names go in as text, not HTML
      l.bindTooltip(tip, { sticky: true });
      l.on("click", function () { window.location.href = f.properties.url; });
    }
  }).addTo(map);
  if (data.features.length) map.fitBounds(layer.getBounds().pad(0.02)); else map.setView([27.6, 115.7], 7);
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "sifa-legend");
    div.innerHTML = '<i style="background:' + STEPS[0] + '"></i>0<br><i style="background:' + STEPS[STEPS.length - 1] + '"></i>' + max;
    return div;
  };
  legend.addTo(map);
})();

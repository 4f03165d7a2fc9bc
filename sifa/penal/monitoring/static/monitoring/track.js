/* Track map of one supervisee: county outline, fences, the track with replay, event markers.
   All coordinates are WGS-84 (the server converted the GCJ-02 outline once); no tiles are loaded. */
(function () {
  "use strict";
  var el = document.getElementById("track-map");
  var dataEl = document.getElementById("track-data");
  if (!el || !dataEl || !window.L) return;
  var data = JSON.parse(dataEl.textContent);
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false, preferCanvas: true });
  map.setView([28.68, 115.86], 10);  // a view first: the canvas renderer needs one before layers are added
  var COLORS = { allowed_area: "#13a86b", exclusion_zone: "#e5484d", curfew: "#7c5cdb" };
  var bounds = null;
  function extend(b) { bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast()); }

  if (data.outline) {
    var outline = L.geoJSON(data.outline, { style: { color: "#0b5bd3", weight: 2, fillColor: "#0b5bd3", fillOpacity: 0.06 } })
      .bindTooltip(esc(data.county)).addTo(map);
    extend(outline.getBounds());
  }
  (data.fences || []).forEach(function (f) {
    var color = COLORS[f.properties.kind] || "#5d6b7e";
    var label = f.properties.name + "（" + f.properties.kind_label + (f.properties.window ? "，" + f.properties.window : "") + "）";
    var layer;
    if (f.geometry.type === "Point") {
      layer = L.circle([f.geometry.coordinates[1], f.geometry.coordinates[0]],
        { radius: f.properties.radius_m, color: color, weight: 2, fillOpacity: 0.15, dashArray: f.properties.window ? "4 4" : null });
    } else {
      layer = L.geoJSON(f.geometry, { style: { color: color, weight: 2, fillOpacity: 0.12 } });
    }
    layer.bindTooltip(esc(label)).addTo(map);
  });

  var points = (data.track || []).map(function (p) { return [p[0], p[1]]; });
  var full = L.polyline(points, { color: "#94a3b8", weight: 2, opacity: 0.7 }).addTo(map);
  var done = L.polyline([], { color: "#0b5bd3", weight: 3 }).addTo(map);
  var marker = points.length ? L.circleMarker(points[0], { radius: 6, color: "#fff", weight: 2, fillColor: "#0b5bd3", fillOpacity: 1 }).addTo(map) : null;
  if (points.length) extend(full.getBounds());

  // Leaflet tooltips take HTML: names (county, fence) go in as text.
  function esc(text) {
    var d = document.createElement("div");
    d.textContent = text == null ? "" : String(text);
    return d.innerHTML;
  }
  // Times are shown in China time whatever the browser's zone; popups are built from text nodes so a
  // fence name or label can never be interpreted as markup.
  function when(ts) {
    return new Date(ts * 1000).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
  }
  function popup(e) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = e.url;
    link.textContent = e.label;
    box.appendChild(link);
    [e.fence || "", when(e.ts)].forEach(function (text) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(text));
    });
    return box;
  }

  (data.events || []).forEach(function (e) {
    var color = e.kind === "breach" || e.kind === "curfew" ? "#e5484d" : e.kind === "low_battery" || e.kind === "offline" ? "#f0a202" : "#5d6b7e";
    L.circleMarker([e.lat, e.lon], { radius: 7, color: color, weight: 2, fillColor: color, fillOpacity: 0.5 })
      .bindPopup(popup(e))
      .addTo(map);
  });
  if (bounds) map.fitBounds(bounds.pad(0.05)); else map.setView([28.68, 115.86], 10);

  var slider = document.getElementById("track-slider");
  var timeEl = document.getElementById("track-time");
  var play = document.getElementById("track-play");
  slider.max = Math.max(points.length - 1, 0);
  slider.value = slider.max;
  function show(i) {
    if (!points.length) { timeEl.textContent = "—"; return; }
    done.setLatLngs(points.slice(0, i + 1));
    marker.setLatLng(points[i]);
    var p = data.track[i];
    timeEl.textContent = when(p[2]) + (p[3] != null ? " ±" + p[3] + "m" : "");
  }
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  var timer = null;
  function stop() { if (timer) { clearInterval(timer); timer = null; play.querySelector("span").textContent = play.dataset.label; } }
  play.dataset.label = play.querySelector("span").textContent;
  play.addEventListener("click", function () {
    if (timer) { stop(); return; }
    if (!points.length) return;
    if (parseInt(slider.value, 10) >= points.length - 1) slider.value = 0;
    var step = Math.max(1, Math.round(points.length / 300));  // about 300 frames whatever the length
    play.querySelector("span").textContent = "■";
    timer = setInterval(function () {
      var i = Math.min(parseInt(slider.value, 10) + step, points.length - 1);
      slider.value = i; show(i);
      if (i >= points.length - 1) stop();
    }, 50);
  });
  show(points.length - 1);
})();

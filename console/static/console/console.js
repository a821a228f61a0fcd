// The console's one script: the ticket's map. The point and its area's outline
// come from the page (a JSON data block and data attributes), never from an
// inline script, so the Content-Security-Policy can forbid those.
(function () {
  "use strict";
  const box = document.getElementById("map");
  if (!box || !window.L) return;
  const lat = parseFloat(box.dataset.lat);
  const lon = parseFloat(box.dataset.lon);
  const map = L.map(box, { scrollWheelZoom: false }).setView([lat, lon], 15);
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution || "" }).addTo(map);
  }
  const data = document.getElementById("area-outline");
  if (data) {
    const outline = L.geoJSON(JSON.parse(data.textContent), {
      style: { color: "#0b5394", weight: 2, fill: false, className: "area-outline" },
    }).addTo(map);
    map.fitBounds(outline.getBounds(), { maxZoom: 16 });
  }
  L.circleMarker([lat, lon], { radius: 8, color: "#b2182b", className: "report-point" }).addTo(map);
  document.body.dataset.map = "ready";
})();

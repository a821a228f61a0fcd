// The officials' dashboard: area outlines, Gi* hotspot cells, the area
// table and the weekly trend, redrawn when a filter changes. With no tile
// server configured the map draws the boundaries alone (closed networks).
(function () {
  "use strict";
  const map = L.map("map", { preferCanvas: false }).setView([9.8, 106.3], 10);
  if (window.DASHBOARD.tileUrl) {
    L.tileLayer(window.DASHBOARD.tileUrl, { attribution: window.DASHBOARD.tileAttribution }).addTo(map);
  }
  const colours = { 3: "#b2182b", 2: "#ef8a62", 1: "#fddbc7", "-1": "#d1e5f0", "-2": "#67a9cf", "-3": "#2166ac" };
  let cells = L.layerGroup().addTo(map);
  const areaNames = {};
  const filters = ["start", "end", "category", "level"].map((id) => document.getElementById(id));

  function query() {
    const params = new URLSearchParams();
    for (const input of filters) if (input.value) params.set(input.id, input.value);
    return params.toString();
  }

  async function get(path) {
    const response = await fetch(path, { credentials: "same-origin" });
    if (!response.ok) throw new Error(path + ": " + response.status);
    return response.json();
  }

  async function drawBoundaries() {
    const areas = await get("/api/v1/areas/boundaries");
    for (const f of areas.features) areaNames[f.properties.code] = f.properties.name;
    const layer = L.geoJSON(areas, { style: { color: "#333", weight: 1.5, fill: false } }).addTo(map);
    map.fitBounds(layer.getBounds());
  }

  async function drawHotspots() {
    const geojson = await get("/api/v1/stats/hotspots?resolution=8&" + query());
    cells.clearLayers();
    L.geoJSON(geojson, {
      filter: (f) => f.properties.bin !== 0,
      style: (f) => ({ color: colours[f.properties.bin], weight: 0.5, fillOpacity: 0.6, className: "hotspot" }),
      onEachFeature: (f, layer) => layer.bindTooltip(`${f.properties.count} · z ${f.properties.z.toFixed(2)}`),
    }).addTo(cells);
    document.body.dataset.hotspots = geojson.features.filter((f) => f.properties.bin !== 0).length;
  }

  async function drawTable() {
    const rows = await get("/api/v1/stats/performance?by=area&" + query());
    const body = document.querySelector("#performance tbody");
    body.replaceChildren(...rows.map((r) => {
      const tr = document.createElement("tr");
      const cells = [r.name || areaNames[r.area] || r.area, r.received, r.resolved,
        r.resolved_within_deadline == null ? "–" : Math.round(r.resolved_within_deadline * 100) + "%",
        r.overdue_now, r.hours_to_resolve_median ?? "–", r.average_rating ?? "–"];
      for (const value of cells) {
        const td = document.createElement("td");
        td.textContent = value;
        tr.appendChild(td);
      }
      return tr;
    }));
    document.body.dataset.received = rows.reduce((sum, r) => sum + r.received, 0);
  }

  async function drawTrend() {
    const rows = await get("/api/v1/stats/series?interval=week&" + query());
    const peak = Math.max(1, ...rows.map((r) => r.received));
    document.getElementById("trend").replaceChildren(...rows.map((r) => {
      const bar = document.createElement("div");
      bar.style.height = (100 * r.received / peak) + "%";
      bar.title = `${r.period}: ${r.received}`;
      return bar;
    }));
  }

  async function refresh() {
    document.body.dataset.ready = "no";
    await Promise.all([drawHotspots(), drawTable(), drawTrend()]);
    document.body.dataset.ready = "yes";
  }

  for (const input of filters) input.addEventListener("change", refresh);
  drawBoundaries().then(refresh);
})();

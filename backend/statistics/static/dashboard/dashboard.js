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

  // Weeks with no report are drawn as zero, so a quiet fortnight shows as one,
  // and the axis says what a bar's height means.
  function everyWeek(rows) {
    if (!rows.length) return [];
    const byWeek = new Map(rows.map((r) => [r.period, r.received]));
    const weeks = [];
    const day = new Date(rows[0].period + "T00:00:00Z");
    const last = new Date(rows[rows.length - 1].period + "T00:00:00Z");
    while (day <= last && weeks.length < 200) {
      const key = day.toISOString().slice(0, 10);
      weeks.push({ period: key, received: byWeek.get(key) || 0 });
      day.setUTCDate(day.getUTCDate() + 7);
    }
    return weeks;
  }

  function svg(name, attributes, text) {
    const element = document.createElementNS("http://www.w3.org/2000/svg", name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
    if (text !== undefined) element.textContent = text;
    return element;
  }

  async function drawTrend() {
    const weeks = everyWeek(await get("/api/v1/stats/series?interval=week&" + query()));
    const width = 600, height = 150, left = 36, bottom = 22, top = 8;
    const peak = Math.max(1, ...weeks.map((w) => w.received));
    const step = (width - left) / Math.max(1, weeks.length);
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
    const plot = height - bottom - top;
    chart.append(
      svg("line", { x1: left, y1: top, x2: left, y2: top + plot, class: "axis" }),
      svg("line", { x1: left, y1: top + plot, x2: width, y2: top + plot, class: "axis" }),
      svg("text", { x: left - 4, y: top + 8, "text-anchor": "end" }, String(peak)),
      svg("text", { x: left - 4, y: top + plot, "text-anchor": "end" }, "0"),
    );
    weeks.forEach((week, i) => {
      const barHeight = (plot * week.received) / peak;
      const bar = svg("rect", {
        x: left + i * step + step * 0.15,
        y: top + plot - barHeight,
        width: Math.max(1, Math.min(28, step * 0.7)),
        height: barHeight,
        class: "bar",
      });
      bar.append(svg("title", {}, `${week.period}: ${week.received}`));
      chart.append(bar);
    });
    if (weeks.length) {
      chart.append(
        svg("text", { x: left, y: height - 6 }, weeks[0].period),
        svg("text", { x: width, y: height - 6, "text-anchor": "end" }, weeks[weeks.length - 1].period),
      );
    }
    document.getElementById("trend").replaceChildren(chart);
    document.body.dataset.weeks = weeks.length;
  }

  async function refresh() {
    document.body.dataset.ready = "no";
    await Promise.all([drawHotspots(), drawTable(), drawTrend()]);
    document.body.dataset.ready = "yes";
  }

  for (const input of filters) input.addEventListener("change", refresh);
  drawBoundaries().then(refresh);
})();

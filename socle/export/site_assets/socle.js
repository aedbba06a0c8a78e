/* Committee site: the territory picker (index pages) and the trend charts (territory
   pages). Pages stay readable without it: the picker is a plain list of links and each
   chart's values are a table below it. */
"use strict";

function fold(text) {
  /* Lower case without accents: "Côte-d'Or" is found by "cote". */
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function setUpPicker() {
  const input = document.getElementById("recherche");
  const tree = document.getElementById("territoires");
  const status = document.getElementById("resultats");
  if (!input || !tree) return;
  const items = Array.from(tree.querySelectorAll("li[data-k]"));
  const details = Array.from(tree.querySelectorAll("details"));
  function filter() {
    const words = fold(input.value).split(/\s+/).filter(Boolean);
    if (!words.length) {
      items.forEach((li) => li.classList.remove("hidden"));
      details.forEach((d) => (d.open = false));
      status.textContent = "";
      return;
    }
    const shown = new Set();
    let found = 0;
    for (const li of items) {
      const key = li.dataset.k;
      if (!words.every((w) => key.includes(w))) continue;
      found += 1;
      // A match shows itself, everything below it and the way down to it.
      li.querySelectorAll("li[data-k]").forEach((c) => shown.add(c));
      for (let up = li; up && up !== tree; up = up.parentElement) {
        if (up.matches("li[data-k]")) shown.add(up);
      }
    }
    items.forEach((li) => li.classList.toggle("hidden", !shown.has(li)));
    details.forEach((d) => {
      const li = d.closest("li[data-k]");
      d.open = shown.has(li) && found <= 60;
    });
    status.textContent = found === 0 ? "Aucun territoire ne correspond."
      : found + (found > 1 ? " territoires correspondent." : " territoire correspond.");
  }
  input.addEventListener("input", filter);
  filter();
}

function frenchNumber(text) {
  /* The table's own figures back to numbers: "1 234" → 1234, "45,2 %" → 0.452, "−3" → -3;
     "s" (secret) and "–" (none) → null. */
  const plain = text.replace(/[\s\u202f\u00a0]/g, "").replace("\u2212", "-").replace(",", ".");
  const percent = plain.endsWith("%");
  const value = Number(percent ? plain.slice(0, -1) : plain);
  if (plain === "" || Number.isNaN(value)) return null;
  return percent ? value / 100 : value;
}

const SHORT_MONTHS = { janvier: "janv.", "février": "févr.", avril: "avr.", juillet: "juil.",
                       septembre: "sept.", octobre: "oct.", novembre: "nov.", "décembre": "déc." };

function shortMonth(label) {
  /* "septembre 2024" → "sept. 24": thirteen months fit under a chart. */
  const [month, year] = label.trim().split(" ");
  return (SHORT_MONTHS[month] || month) + " " + (year || "").slice(2);
}

const COLOURS = ["#1f4e9c", "#d9822b", "#4d8f3f", "#6b6b6b"];

function drawChart(figure) {
  const table = figure.querySelector("table.trend");
  const target = figure.querySelector(".chart");
  if (!table || !target || typeof Plotly === "undefined") return;
  const unit = table.dataset.unit;
  const names = Array.from(table.tHead.rows[0].cells).slice(1).map((c) => c.textContent);
  const months = [];
  const series = names.map(() => []);
  const secret = names.map(() => []);
  for (const row of table.tBodies[0].rows) {
    months.push(shortMonth(row.cells[0].textContent));
    Array.from(row.cells).slice(1).forEach((cell, i) => {
      const text = cell.textContent.trim();
      if (text === "s") secret[i].push(months[months.length - 1]);
      series[i].push(frenchNumber(text));
    });
  }
  const rate = unit === "rate";
  // Counts of a committee and of France differ a thousandfold: on one axis the committee
  // is a flat line at zero. Counts are drawn as an index (100 = the series' first
  // published month), so trends compare; the hover and the table give the counts.
  const indexed = !rate && unit !== "days";
  const traces = names.map((name, i) => {
    const base = series[i].find((v) => v !== null && v > 0);
    // A series of zeros has no base: its points stay at 0.
    const y = indexed ? series[i].map((v) => (v === null ? null : base ? (100 * v) / base : 0))
      : series[i];
    const shown = rate ? "%{customdata:.1%}" : unit === "days" ? "%{customdata:.1f} j"
      : "%{customdata:,.0f} (indice %{y:.1f})";
    return {
      x: months, y: y, customdata: series[i], name: name, type: "scatter",
      mode: "lines+markers", connectgaps: false,
      line: { color: COLOURS[i % 4], width: i === 0 ? 3 : 2, dash: i === 3 ? "dot" : "solid" },
      marker: { size: i === 0 ? 7 : 5 },
      hovertemplate: "%{x} : " + shown + "<extra>" + name + "</extra>",
    };
  });
  // A secret month is no point: an "s" in the series' colour marks it under the axis.
  const notes = [];
  secret.forEach((list, i) => list.forEach((m) => notes.push({
    x: m, y: 0, xref: "x", yref: "paper", yanchor: "bottom", yshift: 2 + 12 * i,
    text: "s", showarrow: false, font: { color: COLOURS[i % 4], size: 12 },
    hovertext: names[i] + " : secret statistique",
  })));
  Plotly.newPlot(target, traces, {
    margin: { l: 56, r: 12, t: 8, b: 36 }, height: 240, separators: ", ",
    xaxis: { type: "category", tickangle: 0, automargin: true },
    yaxis: { tickformat: rate ? ".0%" : "", rangemode: indexed ? "normal" : "tozero",
             automargin: true, title: { text: indexed ? "indice, base 100" : "",
                                        font: { size: 11 } } },
    legend: { orientation: "h", y: -0.2 }, showlegend: names.length > 1,
    annotations: notes, font: { family: "system-ui, Arial, sans-serif", size: 12 },
  }, { displayModeBar: false, responsive: true });
}

document.addEventListener("DOMContentLoaded", () => {
  setUpPicker();
  document.querySelectorAll("figure.trend").forEach(drawChart);
});

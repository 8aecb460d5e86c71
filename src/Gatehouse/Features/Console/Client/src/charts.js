// Draws a chart above each <table data-chart="line|stacked-bar|bar">: the table holds the numbers
// (first column the labels, one column per series) and stays on the page for those who read them.
import { Chart, LineController, BarController, LineElement, BarElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip } from "chart.js";

Chart.register(LineController, BarController, LineElement, BarElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

const palette = ["#1f5fbf", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#a16207", "#4b5563"];

function read(table) {
  const series = [...table.tHead.rows[0].cells].slice(1).map((cell) => cell.textContent.trim());
  const labels = [];
  const values = series.map(() => []);
  for (const row of table.tBodies[0]?.rows ?? []) {
    labels.push(row.cells[0].dataset.short ?? row.cells[0].textContent.trim());
    series.forEach((_, i) => values[i].push(Number(row.cells[i + 1]?.dataset.value ?? row.cells[i + 1]?.textContent ?? 0)));
  }
  return { labels, datasets: series.map((name, i) => ({ label: name, data: values[i] })) };
}

function draw(table) {
  const kind = table.dataset.chart;
  const { labels, datasets } = read(table);
  const box = document.createElement("div");
  box.className = "chart-box";
  const canvas = document.createElement("canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", table.getAttribute("aria-label") ?? table.caption?.textContent ?? "Chart");
  box.append(canvas);
  (table.closest("details") ?? table).before(box);
  const stacked = kind === "stacked-bar";
  new Chart(canvas, {
    type: kind === "line" ? "line" : "bar",
    data: {
      labels,
      datasets: datasets.map((d, i) => ({
        ...d, borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], pointRadius: 2, tension: 0.2,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      indexAxis: kind === "bar" ? "y" : "x",
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { display: datasets.length > 1 || stacked, position: "bottom" } },
      scales: {
        x: { stacked, ticks: { autoSkip: true, maxRotation: 0 }, beginAtZero: kind === "bar" },
        y: { stacked, beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  });
  table.dataset.charted = "true";
}

document.querySelectorAll("table[data-chart]").forEach(draw);

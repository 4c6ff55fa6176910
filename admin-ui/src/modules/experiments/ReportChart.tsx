/** Each arm's rate with its 95 % interval as a floating bar (Chart.js); the report's table says the same in words. */
import type { ChartData } from 'chart.js';
import { BarController, BarElement, CategoryScale, Chart as ChartJS, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { Chart } from 'react-chartjs-2';
import type { IntervalChartData } from './format';

ChartJS.register(CategoryScale, LinearScale, BarController, BarElement, LineController, LineElement, PointElement, Tooltip, Legend);

/** Floating bars for the intervals and a point for each rate: one bar chart with a line dataset. */
type Mixed = ChartData<'bar' | 'line', (number | [number, number])[], string>;

export function ReportChart({ data, summary }: { data: IntervalChartData; summary: string }) {
  const mixed: Mixed = {
    labels: data.labels,
    datasets: [
      { type: 'bar', label: '95 % interval of the rate (%)', data: data.intervals, backgroundColor: 'rgba(37, 99, 235, 0.35)', borderColor: '#2563eb', borderWidth: 1 },
      { type: 'line', label: 'Rate (%)', data: data.rates, showLine: false, pointRadius: 7, pointStyle: 'line', borderWidth: 3, borderColor: '#111827', backgroundColor: '#111827' },
    ],
  };
  return (
    <div className="chart-box exp-chart" role="img" aria-label={summary}>
      <Chart type="bar" aria-hidden="true"
        data={mixed as ChartData<'bar', (number | [number, number])[], string>}
        options={{ responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, title: { display: true, text: 'rate (%)' } } } }}
      />
    </div>
  );
}

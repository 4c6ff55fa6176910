/** The two usage charts (Chart.js through react-chartjs-2; only the parts used are registered). */
import {
  BarElement, CategoryScale, Chart as ChartJS, Legend, LinearScale, LineElement, PointElement, Tooltip,
} from 'chart.js';
import { Bar, Line } from 'react-chartjs-2';
import type { LineSeries, RateBars } from './usage';

ChartJS.register(CategoryScale, LinearScale, PointElement, LineElement, BarElement, Tooltip, Legend);

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569', '#ea580c'];

export function ImpressionsChart({ data }: { data: LineSeries }) {
  return (
    <div className="chart-box" role="img" aria-label={`Impressions per day for ${data.series.length} variant(s)`}>
      <Line aria-hidden="true"
        data={{
          labels: data.labels,
          datasets: data.series.map((s, i) => ({
            label: s.label,
            data: s.data,
            borderColor: COLORS[i % COLORS.length],
            backgroundColor: COLORS[i % COLORS.length],
            tension: 0.2,
            pointRadius: 2,
          })),
        }}
        options={{ responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }}
      />
    </div>
  );
}

export function RatesChart({ data }: { data: RateBars }) {
  return (
    <div className="chart-box" role="img" aria-label={`CTR and conversion rate for ${data.labels.length} variant(s)`}>
      <Bar aria-hidden="true"
        data={{
          labels: data.labels,
          datasets: [
            { label: 'CTR (%)', data: data.ctr, backgroundColor: COLORS[0] },
            { label: 'Conversion rate (%)', data: data.conversionRate, backgroundColor: COLORS[2] },
          ],
        }}
        options={{ responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } }}
      />
    </div>
  );
}

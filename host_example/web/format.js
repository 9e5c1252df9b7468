// How numbers, times and names are shown on every page.
const integers = new Intl.NumberFormat('en-US');

export function number(value, digits = 4) {
  if (value === null || value === undefined) return '–';
  if (typeof value !== 'number') return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return integers.format(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(digits)));
}

// Unix seconds as local "2026-11-29 14:05".
export function time(seconds) {
  if (typeof seconds !== 'number') return '–';
  const d = new Date(seconds * 1000);
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

export function duration(seconds) {
  if (typeof seconds !== 'number' || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export function bytes(n) {
  if (typeof n !== 'number') return '–';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) n /= 1024, i++;
  return i === 0 ? `${n} bytes` : `${n.toFixed(2)} ${units[i]}`;
}

// The last part of a path: the model's folder name, a preset's name as it is.
export function baseName(path) {
  if (typeof path !== 'string') return '';
  const parts = path.split('/').filter(Boolean);
  return parts.length ? parts[parts.length - 1] : path;
}

// "TinyLlama-1.1B (support-bot)": the model and the job's suffix, as the Trainings list shows it.
export function modelAndSuffix(job) {
  const model = baseName(job.model);
  return job.suffix ? `${model} (${job.suffix})` : model;
}

export const finalStatuses = new Set(['succeeded', 'failed', 'cancelled']);

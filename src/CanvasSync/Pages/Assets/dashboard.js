// The dashboard's only script: times in the viewer's own time zone, and live progress of a running sync, from the
// API's server-sent events (GET /api/v1/canvas/sync/{id}/events) with polling of the run (GET .../sync/{id}) as the
// fallback when EventSource is missing, fails, or goes quiet. Pages work without it, minus the live parts.
(() => {
  'use strict';

  const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

  function localTimes(root) {
    for (const el of root.querySelectorAll('time[data-local]')) {
      const when = new Date(el.getAttribute('datetime'));
      if (Number.isNaN(when.getTime())) continue;
      el.title = el.textContent; // the UTC text stays at hand
      el.textContent = dateTime.format(when);
    }
  }

  function duration(seconds) {
    if (seconds == null || !Number.isFinite(seconds)) return '—';
    const s = Math.max(0, Math.round(seconds));
    return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
  }

  const FINISHED_WORDS = {
    completed: 'Sync completed.',
    completed_with_errors: 'Sync completed, with some items skipped (see the sync history).',
    failed: 'Sync failed (see the sync history).',
    cancelled: 'Sync cancelled.',
    needs_reauth: 'Canvas refused the token: reconnect on the setup page.',
  };

  function watch(section) {
    const runId = section.dataset.run;
    const started = Date.parse(section.dataset.started);
    const bar = section.querySelector('progress');
    const field = (name) => section.querySelector(`[data-field="${name}"]`);
    const milestones = section.querySelector('.milestones');
    const noted = new Set();
    let finished = false;
    let lastHeard = Date.now();
    let source = null;
    let poller = null;

    const courseName = (id) => section.querySelector(`#course-names [data-course="${id}"]`)?.textContent ?? `Course ${id}`;

    function milestone(percent) {
      if (noted.has(percent)) return;
      noted.add(percent);
      const item = document.createElement('li');
      item.textContent = `${percent}% done`;
      milestones.appendChild(item);
    }

    // p: the API's progress (snake_case), from an event or from a polled run.
    function show(p, courseId) {
      lastHeard = Date.now();
      const percent = Math.max(0, Math.min(100, Number(p.percent) || 0));
      bar.value = percent;
      bar.textContent = `${Math.floor(percent)}%`;
      field('percent').textContent = `${Math.floor(percent)}%`;
      field('items').textContent = String(p.items_done ?? 0);
      if (courseId) field('course').textContent = courseName(courseId);
      else if (p.course_id) field('course').textContent = courseName(p.course_id);
      else if (p.phase) field('course').textContent = p.phase;
      const elapsed = p.elapsed_seconds ?? (Date.now() - started) / 1000;
      field('elapsed').textContent = duration(elapsed);
      const remaining = percent >= 100 ? 0 : p.eta_seconds ?? (percent > 0 ? (elapsed * (100 - percent)) / percent : null);
      field('remaining').textContent = duration(remaining);
      for (const m of [25, 50, 75]) if (percent >= m) milestone(m);
    }

    function finish(status, p) {
      if (finished) return;
      finished = true;
      source?.close();
      clearInterval(poller);
      const succeeded = status === 'completed' || status === 'completed_with_errors';
      show(succeeded ? { ...p, percent: 100 } : p);
      section.dataset.status = status;
      field('outcome').textContent = FINISHED_WORDS[status] ?? `Sync ended: ${status}.`;
      section.querySelector('form')?.remove();
      // The widget, the upcoming list and the grades are server-rendered: show them fresh.
      setTimeout(() => window.location.reload(), 2000);
    }

    async function poll() {
      try {
        const response = await fetch(`/api/v1/canvas/sync/${runId}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
        if (!response.ok) return;
        const run = await response.json();
        if (run.status === 'queued' || run.status === 'running') show(run.progress);
        else finish(run.status, run.progress);
      } catch {
        // The next tick tries again.
      }
    }

    function startPolling() {
      if (poller || finished) return;
      source?.close();
      poll();
      poller = setInterval(poll, 2000);
    }

    if (!('EventSource' in window)) {
      startPolling();
      return;
    }

    source = new EventSource(`/api/v1/canvas/sync/${runId}/events`);
    source.addEventListener('progress', (e) => show(JSON.parse(e.data)));
    source.addEventListener('milestone', (e) => {
      const data = JSON.parse(e.data);
      show(data.progress);
      milestone(data.percent);
    });
    source.addEventListener('course_started', (e) => {
      const data = JSON.parse(e.data);
      show(data.progress, data.course_id);
    });
    for (const status of Object.keys(FINISHED_WORDS)) source.addEventListener(status, (e) => finish(status, JSON.parse(e.data)));
    // EventSource reconnects on its own after a dropped stream; a stream that fails for good, or goes quiet (the run
    // is on another node, whose events this server does not have), hands over to polling.
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) startPolling();
    };
    setInterval(() => {
      if (!finished && Date.now() - lastHeard > 10000) startPolling();
    }, 5000);
  }

  document.addEventListener('DOMContentLoaded', () => {
    localTimes(document);
    const progress = document.getElementById('sync-progress');
    if (progress) watch(progress);
  });
})();

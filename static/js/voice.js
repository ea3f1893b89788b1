// voice.js — voice notes recorded in the page (MediaRecorder). A microphone button shows
// next to the attach button only when the browser can record WebM audio and the page may use
// the microphone (its Permissions-Policy); press it to record, press again (or Escape) to
// stop: the recording becomes a file "Voice note ….webm" of type audio/webm and goes to the
// composer's files like any other (attach.js uploads it; the declared type tells the server
// it is audio, not video).

const TYPE = 'audio/webm';
const MAX_MS = 10 * 60 * 1000; // a voice note stops by itself after ten minutes

const MIC = '<svg class="icon" aria-hidden="true" viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"><rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21"/></svg>';

/** Whether voice notes can be recorded here. */
export function canRecord() {
  if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return false;
  if (typeof MediaRecorder.isTypeSupported === 'function' && !MediaRecorder.isTypeSupported(TYPE)) return false;
  const policy = document.permissionsPolicy || document.featurePolicy;
  if (policy && typeof policy.allowsFeature === 'function' && !policy.allowsFeature('microphone')) return false;
  return true;
}

function clock(ms) {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Adds the microphone button after `after` in `row`; `onFile(file)` takes each recording. */
export function initVoice(row, after, onFile) {
  if (!canRecord()) return;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'composer-tool composer-mic';
  button.setAttribute('aria-pressed', 'false');
  button.innerHTML = MIC;
  const label = document.createElement('span');
  label.className = 'visually-hidden';
  label.textContent = 'Record a voice note';
  button.append(label);
  button.title = 'Record a voice note';
  const timer = document.createElement('span');
  timer.className = 'composer-rec'; // not live: the button's label and attach.js's status speak
  timer.hidden = true;
  after.after(button, timer);

  let recorder = null;
  let stream = null;
  let started = 0;
  let tick = null;

  function reset() {
    clearInterval(tick);
    if (stream) for (const t of stream.getTracks()) t.stop();
    stream = null;
    recorder = null;
    button.setAttribute('aria-pressed', 'false');
    button.classList.remove('is-recording');
    label.textContent = 'Record a voice note';
    button.title = 'Record a voice note';
    timer.hidden = true;
  }

  async function record() {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      timer.hidden = false;
      timer.textContent = 'The microphone is not available.';
      return;
    }
    const chunks = [];
    recorder = new MediaRecorder(stream, { mimeType: TYPE });
    recorder.addEventListener('dataavailable', (ev) => {
      if (ev.data && ev.data.size) chunks.push(ev.data);
    });
    recorder.addEventListener('stop', () => {
      const ms = Date.now() - started;
      reset();
      if (!chunks.length) return;
      const when = new Date().toISOString().slice(0, 19).replace('T', ' ').replace(/:/g, '.');
      onFile(new File(chunks, `Voice note ${when}.webm`, { type: TYPE }));
      timer.hidden = false;
      timer.textContent = `Voice note of ${clock(ms)} added.`;
    });
    started = Date.now();
    recorder.start(1000);
    button.setAttribute('aria-pressed', 'true');
    button.classList.add('is-recording');
    label.textContent = 'Stop recording';
    button.title = 'Stop recording';
    timer.hidden = false;
    timer.textContent = 'Recording 0:00';
    tick = setInterval(() => {
      const ms = Date.now() - started;
      timer.textContent = `Recording ${clock(ms)}`;
      if (ms >= MAX_MS) stop();
    }, 500);
  }

  function stop() {
    if (recorder && recorder.state !== 'inactive') recorder.stop();
  }

  button.addEventListener('click', () => (recorder ? stop() : record()));
  row.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && recorder) stop();
  });
}

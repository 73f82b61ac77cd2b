/**
 * The pop-up's sound and browser notifications. The sound is made in the browser (WebAudio, nothing to
 * download); browsers let a page play it only after the person has interacted with it once, so the context is
 * created on the first click or key press. Notifications are asked for only when the person presses the button.
 */

let audio: AudioContext | null = null;

function unlock(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume().catch(() => undefined);
  } catch {
    audio = null;
  }
}

export function listenForFirstGesture(): void {
  for (const type of ['pointerdown', 'keydown'] as const) window.addEventListener(type, unlock, { capture: true, passive: true });
}

/** Three short high-low tones, loud enough to wake someone, short enough not to annoy. */
export function playAlertSound(): void {
  if (!audio || audio.state !== 'running') return;
  const start = audio.currentTime + 0.05;
  for (let n = 0; n < 3; n++) {
    for (const [offset, freq] of [[0, 880], [0.18, 660]] as const) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      const at = start + n * 0.5 + offset;
      osc.type = 'square';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.16);
      osc.connect(gain).connect(audio.destination);
      osc.start(at);
      osc.stop(at + 0.17);
    }
  }
}

export type NotificationState = 'unsupported' | 'default' | 'granted' | 'denied';

export function notificationState(): NotificationState {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export async function askForNotifications(): Promise<NotificationState> {
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.requestPermission();
}

/** A browser notification (seen from another tab or window); clicking it brings the console forward. */
export function notify(title: string, body: string, tag: string, onClick: () => void): void {
  if (notificationState() !== 'granted') return;
  try {
    const n = new Notification(title, { body, tag, requireInteraction: true });
    n.onclick = () => {
      window.focus();
      onClick();
      n.close();
    };
  } catch {
    // Some browsers allow notifications only from a service worker; the pop-up is still there.
  }
}

// conversation-receipts.js — the receipts of this person's own messages ("✓", "✓✓", "Read",
// "Read by 2 of 5") refreshed when someone's `read` or `delivered` event comes: the page is
// fetched again (?before=) and each changed .receipt is swapped in place. A hidden tab waits
// until it is shown.

import { seqOf, messageItems, fetchLog } from './conversation-log.js';

/** Returns {refreshReceipts, resume}; `catchingUp()` is the catch-up running, if any. */
export function initReceipts(conv, { catchingUp }) {
  let running = null;
  let again = false;
  let upToAsked = 0;
  let timer = null;
  let whileHidden = false;

  // Own messages whose receipt may still change: every state short of "read" (in a group
  // "read" means everyone has read it). `upTo`: only messages up to that seq.
  function candidates(upTo) {
    return messageItems(conv.list()).filter((li) => {
      const receipt = li.querySelector('.receipt[data-state]');
      return receipt && receipt.dataset.state !== 'read' && seqOf(li) <= upTo;
    });
  }

  /** Refreshes the receipts of own messages up to seq `upTo` (soon, coalesced). */
  function refreshReceipts(upTo = Infinity) {
    upToAsked = Math.max(upToAsked, upTo);
    if (document.hidden) {
      whileHidden = true;
      return;
    }
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(run, 100);
  }

  function run() {
    timer = null;
    running = (async () => {
      do {
        again = false;
        // New messages first: one being appended now must not miss the update.
        const appending = catchingUp();
        if (appending) await appending;
        const upTo = upToAsked;
        upToAsked = 0;
        let pending = candidates(upTo);
        // One fetch covers a page of history up to the newest message that may change; a
        // few more pages for older ones still waiting.
        for (let pages = 0; pages < 4 && pending.length; pages += 1) {
          const newest = seqOf(pending[pending.length - 1]);
          const fetched = await fetchLog(conv, `before=${newest + 1}`);
          const covered = swapReceipts(fetched);
          pending = pending.filter((li) => li.isConnected && !covered.has(seqOf(li)) && seqOf(li) < newest);
        }
      } while (again);
    })()
      .catch((err) => console.warn('parley: could not refresh receipts', err))
      .finally(() => {
        running = null;
      });
  }

  /** Swaps in the fetched receipts of the messages shown; returns the seqs fetched. */
  function swapReceipts(fetched) {
    const covered = new Set();
    for (const fresh of fetched.querySelectorAll('.msg-list > li[id^="m"]')) {
      const seq = seqOf(fresh);
      if (seq === null) continue;
      covered.add(seq);
      const current = document.getElementById(`m${seq}`);
      if (!current) continue;
      const had = current.querySelector('.receipt');
      const got = fresh.querySelector('.receipt');
      if (had && got) {
        if (had.outerHTML !== got.outerHTML) had.replaceWith(document.importNode(got, true));
      } else if (had) {
        had.remove(); // receipts were turned off
      }
    }
    return covered;
  }

  /** The tab is shown again: refreshes what was asked while it was hidden. */
  function resume() {
    if (whileHidden) {
      whileHidden = false;
      refreshReceipts();
    }
  }

  return { refreshReceipts, resume };
}

// conversation-unread.js — where a conversation opens, and the way back down. The server
// draws a "New messages" line (#unread) before the first message after your read position;
// when that line is above the screen (more unread than fit), the page opens at the line
// instead of at the newest message, and a "Jump to latest" button shows while the newest
// message is out of view (column-reverse: scrollTop 0 is the newest end).

const NEAR_NEWEST_PX = 120;

/** Positions `conv`'s messages at the unread line when needed and adds the jump button. */
export function initUnreadLine(conv) {
  const { scroller, chat } = conv;
  if (!scroller) return;
  const jump = document.createElement('button');
  jump.type = 'button';
  jump.className = 'btn btn-primary btn-sm jump-latest';
  jump.textContent = 'Jump to latest';
  jump.hidden = true;
  jump.addEventListener('click', () => {
    scroller.scrollTop = 0;
    jump.hidden = true;
    chat.querySelector('textarea[name="body"]')?.focus({ preventScroll: true });
  });
  scroller.after(jump);

  const update = () => {
    jump.hidden = Math.abs(scroller.scrollTop) < NEAR_NEWEST_PX;
  };
  scroller.addEventListener('scroll', update, { passive: true });

  const line = conv.log.querySelector('#unread');
  if (line && !location.hash) {
    const top = line.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    if (top < 0) line.scrollIntoView({ block: 'start' });
  }
  update();
}

// Muting from the pages, as a group's owner does it: the settings page's Mute button (a plain
// form), and the muted person's open conversation closing its composer live, saying until
// when, then opening again on Unmute; the moderation log shows both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ipSource, uname, useBrowser, pageSource, problemWatcher, register, createGroup, arrive,
  waitLive, composer, message,
} from './lib.mjs';

const problems = [];
const newPage = pageSource(useBrowser(), ipSource(95), problemWatcher(problems));

test('an owner mutes and unmutes a member, whose open page follows without a reload', async () => {
  const owner = await newPage();
  const member = await newPage();
  const o = { username: uname('mo'), displayName: 'Moderating Owner' };
  const m = { username: uname('mm'), displayName: 'Muted Member' };
  await register(owner, o);
  await register(member, m);
  const id = await createGroup(owner, { Title: 'Quiet please', Members: m.username }, { nextLoad: true });

  await member.goto(`/conversations/${id}`);
  await waitLive(member);
  await composer(member).waitFor();

  await owner.goto(`/conversations/${id}/settings`);
  await owner.getByLabel(`Mute ${m.displayName} for`).selectOption({ label: '1 hour' });
  await arrive(owner, /done=muted/, () => owner.getByRole('button', { name: `Mute ${m.displayName}` }).click());
  await owner.getByText('The member was muted').waitFor();
  await owner.getByText(/Muted until/).waitFor();

  // The member's page closes its composer by itself and says why.
  await member.getByText(/An owner or admin muted you here until/).waitFor();
  assert.equal(await composer(member).count(), 0, 'no composer while muted');

  await arrive(owner, /done=unmuted/, () => owner.getByRole('button', { name: `Unmute ${m.displayName}` }).click());
  await composer(member).waitFor();
  await composer(member).fill('thank you');
  await composer(member).press('Enter');
  await message(member, 'thank you').waitFor();

  await owner.goto(`/conversations/${id}/moderation`);
  await owner.getByText(`muted @${m.username} for 1 hour`).waitFor();
  await owner.getByText(`unmuted @${m.username}`).waitFor();
  assert.deepEqual(problems, []);
  await owner.context().close();
  await member.context().close();
});

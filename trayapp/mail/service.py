"""Every account watched at once: one AccountWatcher per account, one picture for everyone.

No Qt here (`ippo watch` runs it in a plain process; ui/bridge.py adapts it for the GUI).

Workers report on their own threads; the service queues their events and applies them on one
dispatcher thread, in order: it recomputes the account's waiting set with core.pending (the
user's dismissals and ignored senders from the StateStore, acknowledgements merged in),
persists it (record_scan + sync state), and tells its listeners with a `WatchSnapshot` --
only when the waiting set or some account's health really changed. Listeners run on the
dispatcher thread and must return quickly (the Qt bridge only posts a queued signal).
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, cast

from trayapp.core.away import Absence, away_at
from trayapp.core.dismissed_ids import ItemIds
from trayapp.core.model import (
    AccountConfig,
    AccountHealth,
    HealthState,
    Inquiry,
    MessageFacts,
    MessageHeaders,
)
from trayapp.core.notifications import Holds
from trayapp.core.pending import lookback_start, sort_by_urgency, waiting_inquiries
from trayapp.core.put_back import still_dismissed
from trayapp.core.schedule import Schedule, account_schedule
from trayapp.core.summary import StageLeads, leads_by_account
from trayapp.mail.scan import keep_first_seen
from trayapp.mail.watcher import (
    SYSTEM_CLOCK,
    AccountWatcher,
    Clock,
    Connector,
    HealthChanged,
    MailboxChanged,
    PasswordSource,
    WatchTimings,
    WorkerEvent,
)

if TYPE_CHECKING:
    from trayapp.desktop.secrets import SecretStore
    from trayapp.oauth.tokens import TokenBroker, TokenSecrets
    from trayapp.store.db import StateStore

log = logging.getLogger(__name__)

RECOMPUTE_EVERY = 60.0  # seconds: the look-back window moves even when no mail comes
PRUNE_EVERY = timedelta(hours=6)  # forgetting what the look-back can no longer show
# Beyond the look-back, a margin for clocks that disagree (a server's INTERNALDATE, ours).
PRUNE_MARGIN = timedelta(days=2)
# Settings that change only what Ippo decides about the mail it has, not what a watcher
# fetches: a change of these alone is applied at once, without a reconnect or new mail.
DECISION_SETTINGS = (
    "window_hours",
    "warning_hours",
    "urgent_hours",
    "timezone",
    "working_hours",
    "holidays",
    "days_off",
    "display_name",
    "signature",
    "signature_ja",
    "signature_en",
    "reply_charset",
)


def watches_the_same(old: AccountConfig, new: AccountConfig) -> bool:
    """True when `new` differs from `old` only in DECISION_SETTINGS."""
    return replace(new, **{name: getattr(old, name) for name in DECISION_SETTINGS}) == old


@dataclass(frozen=True)
class WatchSnapshot:
    """The whole picture at one moment. Sent to listeners after every change."""

    at: datetime
    items: tuple[Inquiry, ...]  # waiting and acknowledged, every account, most urgent first
    health: Mapping[str, AccountHealth]  # every watched account by name
    accounts: tuple[AccountConfig, ...]
    items_changed: bool = False  # the waiting set differs from the previous snapshot
    health_changed: frozenset[str] = field(default_factory=frozenset)  # accounts whose health did
    holds: Holds = field(default_factory=Holds)  # snoozes, absences, quiet hours
    # Accounts connected (scanned live) during this run: only their items are notified (the
    # last known list from the store may hold items answered elsewhere while Ippo was off).
    live: frozenset[str] = field(default_factory=frozenset)
    # The stored notification records with a deadline before this were last pruned (None: not
    # yet this run); the GUI's in-memory ledger forgets the same (trayapp.ui.ledger).
    notified_before: datetime | None = None

    @property
    def leads(self) -> dict[str, StageLeads]:
        """Each account's warning/urgent leads (the badge, the list and notifications)."""
        return leads_by_account(self.accounts)

    @property
    def live_items(self) -> tuple[Inquiry, ...]:
        return tuple(i for i in self.items if i.account in self.live)

    @property
    def next_due_at(self) -> datetime | None:
        return min((i.deadline for i in self.items), default=None)

    @property
    def covered(self) -> bool:
        return all(h.covered for h in self.health.values())


Listener = Callable[[WatchSnapshot], None]


def password_source(
    secrets: SecretStore, *, missing_hint: str, tokens: TokenBroker | None = None
) -> PasswordSource:
    """The watchers' password lookup. An unusable keyring is worth retrying (it may be
    unlocked later, and no server is contacted); a missing password is not (`missing_hint`
    tells the user what to do). OAuth accounts get an access token from `tokens` (by default
    a TokenBroker on the same keyring, made when first needed)."""
    from trayapp.desktop.secrets import KeyringUnavailable
    from trayapp.mail.errors import MailError

    broker = tokens

    def password(account: AccountConfig) -> str:
        nonlocal broker
        if account.auth is not None:
            if broker is None:
                from trayapp.oauth.tokens import TokenBroker

                broker = TokenBroker(cast("TokenSecrets", secrets))
            return broker.access_token(account)
        try:
            value = secrets.get_password(account.name)
        except KeyringUnavailable as error:
            raise MailError(str(error), permanent=False) from error
        if value is None:
            raise MailError(f"no password in the OS keyring; {missing_hint}", permanent=True)
        return value

    return password


AckMerger = Callable[[str, list[Inquiry], Sequence[MessageHeaders]], list[Inquiry]]


class ClockRules(Protocol):
    """When each account's clock runs and what holds notifications (trayapp.policy)."""

    def schedule(self, account: AccountConfig) -> Schedule | None: ...

    def holds(self) -> Holds: ...


class AutoReplies(Protocol):
    def consider(
        self, account: AccountConfig, items: Sequence[Inquiry], absence: Absence | None
    ) -> None: ...


class _OwnSchedules:
    def schedule(self, account: AccountConfig) -> Schedule:
        from trayapp.clock import system_zone

        return account_schedule(account, system_zone())

    def holds(self) -> Holds:
        return Holds()


class WatcherFactory(Protocol):
    def __call__(
        self, account: AccountConfig, emit: Callable[[WorkerEvent], None]
    ) -> AccountWatcher: ...


@dataclass
class _AccountView:
    account: AccountConfig
    watcher: AccountWatcher
    health: AccountHealth
    token: object  # tells this watcher's events from those of a replaced one
    mailbox: MailboxChanged | None = None
    items: tuple[Inquiry, ...] = ()


@dataclass(frozen=True)
class _FromWorker:
    token: object
    event: WorkerEvent


@dataclass(frozen=True)
class _Command:
    """Work for the dispatcher thread that is not a worker event."""

    run: Callable[[], None]


_TICK = _Command(lambda: None)  # the queue stayed empty until the periodic recompute


def _stop_in_background(watcher: AccountWatcher) -> None:
    """Stop a watcher without waiting for it: its events are ignored from now on (tokens),
    and a connect in progress against a frozen server may take its full timeout to end."""
    threading.Thread(target=watcher.stop, name="ippo-watcher-stop", daemon=True).start()


class WatchService:
    """Owns the watchers. start() once, stop() once; the rest may be called from any thread."""

    def __init__(
        self,
        accounts: Sequence[AccountConfig],
        password: PasswordSource,
        store: StateStore | None = None,
        *,
        timings: WatchTimings | None = None,
        clock: Clock | None = None,
        connect: Connector | None = None,
        rng: Callable[[], float] = random.random,
        watcher_factory: WatcherFactory | None = None,
        merge_acknowledgements: AckMerger | None = None,
        policy: ClockRules | None = None,
        auto_replier: AutoReplies | None = None,
    ) -> None:
        """`merge_acknowledgements(account, waiting, sent_headers)` turns the account's waiting
        list into the shown one (acknowledged items and their promises, from issue 5's
        journal); None shows the waiting list as core.pending computed it.

        `policy` (trayapp.policy.ClockPolicy) gives each account's working-hours clock with the
        user's absences, and what holds notifications back; None: the account's own settings
        in the system's zone, nothing held."""
        self._merge_acks = merge_acknowledgements
        self._policy: ClockRules = policy or _OwnSchedules()
        # The optional automatic first word while away (trayapp.mail.autoreply).
        self._auto_replier = auto_replier
        self._password = password
        self._store = store
        self._timings = timings or WatchTimings()
        self._clock: Clock = clock or SYSTEM_CLOCK
        self._connect = connect
        self._rng = rng
        self._factory = watcher_factory or self._make_watcher
        self._events: queue.Queue[_FromWorker | _Command | None] = queue.Queue()
        self._listeners: list[Listener] = []
        self._listeners_lock = threading.Lock()
        self._views: dict[str, _AccountView] = {}
        self._order: list[str] = []
        self._live: set[str] = set()  # accounts that connected during this run
        self._pruned_at: datetime | None = None
        self._notified_before: datetime | None = None  # the last notification prune's cutoff
        self._last: WatchSnapshot | None = None
        self._state_lock = threading.Lock()  # guards _last for snapshot() from other threads
        self._refresh_lock = threading.Lock()
        self._refresh_queued = False  # a refresh is posted and has not started yet
        self._thread = threading.Thread(
            target=self._dispatch, name="ippo-watch-service", daemon=True
        )
        self._started = False
        self._stopped = False
        for account in accounts:
            self._add(account)
        self._last = self._build(items_changed=True, health_changed=frozenset(self._order))

    # ---- lifecycle

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self._post(self._prune_if_due)  # the first thing the dispatcher does
        self._thread.start()
        for view in self._views.values():
            view.watcher.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop every watcher (in parallel) and the dispatcher. True when all joined in time."""
        if self._stopped:
            return True
        self._stopped = True
        watchers = [v.watcher for v in self._views.values()]
        results: list[bool] = []
        stoppers = [
            threading.Thread(target=lambda w=w: results.append(w.stop(timeout)), daemon=True)
            for w in watchers
        ]
        for t in stoppers:
            t.start()
        for t in stoppers:
            t.join(timeout + 0.5)
        self._events.put(None)
        if self._started:
            self._thread.join(timeout)
        return all(results) and len(results) == len(watchers) and not self._thread.is_alive()

    # ---- listeners

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(snapshot)` after every change (on the service's thread). It gets the
        current snapshot at once, so it never starts empty-handed. Returns an unsubscribe."""

        def first_call() -> None:
            with self._listeners_lock:
                self._listeners.append(listener)
            self._safe_call(listener, self.snapshot())

        # On the dispatcher thread, so the first call can never overtake a later snapshot.
        # Queued, not awaited: the GUI subscribes and must not wait for a busy dispatcher.
        self._post(first_call)

        def unsubscribe() -> None:
            with self._listeners_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def snapshot(self) -> WatchSnapshot:
        with self._state_lock:
            assert self._last is not None
            return self._last

    # ---- what the user asks

    def retry_now(self, account: str | None = None) -> None:
        """Reconnect now (one account or all): leaves `error`, skips backoff waits."""
        for name, view in list(self._views.items()):
            if account is None or name == account:
                view.watcher.retry_now()

    def refresh(self) -> None:
        """Recompute the waiting set (after the user dismissed, ignored or acknowledged).
        Queued, not awaited: the next snapshot is the answer. Requests made while one is still
        queued are answered by it (it reads the store when it runs): 2,000 dismissals in a row
        are not 2,000 recomputes of every account, each with its own snapshot."""
        with self._refresh_lock:
            if self._refresh_queued:
                return
            self._refresh_queued = True
        self._post(self._run_refresh)

    def _run_refresh(self) -> None:
        with self._refresh_lock:
            self._refresh_queued = False  # from now on a request needs a new run
        self._recompute_all()

    def dismissed_items(self) -> Future[list[tuple[Inquiry, str]]]:
        """What the user dismissed ('answered', 'not_inquiry') that the inboxes still hold
        within the look-back, as the list showed it: the GUI's "Recently set aside" puts it
        back. Computed on the dispatcher; a worker waits on the future, never the GUI."""
        future: Future[list[tuple[Inquiry, str]]] = Future()

        def compute() -> None:
            try:
                future.set_result(self._dismissed_items())
            except Exception as error:
                future.set_exception(error)

        self._post(compute)
        return future

    def _dismissed_items(self) -> list[tuple[Inquiry, str]]:
        """From the watchers' last pictures: a dismissed message they still keep as it is
        now, one they set aside (not kept) as the store kept it with the dismissal."""
        if self._store is None:
            return []
        found: list[tuple[Inquiry, str]] = []
        now = self._clock.now()
        replied = self._all_replied_ids()
        for name in self._order:
            view = self._views[name]
            mailbox = view.mailbox
            dismissals = self._store.dismissals_shown(name)
            if mailbox is None or not dismissals:
                continue
            ignored = self._store.ignored_senders(name)
            found += still_dismissed(
                self._waiting(view, mailbox, now, (), ignored),
                mailbox.set_aside,
                dismissals,
                replied,
                ignored,
            )
        found.sort(key=lambda pair: pair[0].received_at, reverse=True)
        return found

    def set_aside_ids(self, account: str) -> ItemIds:
        """The dismissed messages of `account` its watcher set aside: on the server, not kept
        in memory (any thread; read-only, for tests and diagnostics)."""
        view = self._views.get(account)
        return view.watcher.set_aside_ids if view is not None else ItemIds()

    def set_accounts(
        self, accounts: Iterable[AccountConfig], *, forget: Iterable[str] = ()
    ) -> None:
        """Apply changed settings: new accounts start, removed ones stop, changed ones restart
        (which also clears an `error`: the user changed something) -- except where only what
        is decided changed (DECISION_SETTINGS: a schedule, a window), which is recomputed
        from the mail already known, at once. Queued, not awaited; the
        old watchers are stopped on a thread of their own (a frozen server can take seconds).
        `forget`: removed accounts whose stored state is put aside (StateStore.hold_account:
        kept a while under the address, so adding it again brings it back), once no watcher
        of theirs can write it any more."""
        wanted = list(accounts)
        forgotten = [n for n in forget if n not in {a.name for a in wanted}]

        def apply() -> None:
            names = {a.name for a in wanted}
            changed: set[str] = set()
            removed: dict[str, AccountConfig] = {}
            for name in [n for n in self._order if n not in names]:
                view = self._views.pop(name)
                removed[name] = view.account
                self._order.remove(name)
                _stop_in_background(view.watcher)
                self._live.discard(name)
                changed.add(name)
            for account in wanted:
                old = self._views.get(account.name)
                if old is not None and old.account == account:
                    continue
                if (
                    old is not None
                    and old.health.covered  # a change to an inbox in trouble: try it again
                    and watches_the_same(old.account, account)
                ):
                    # A new schedule or window: the same mail, decided again now.
                    old.account = account
                    if self._recompute(old):
                        self._persist(old)
                    changed.add(account.name)
                    continue
                if old is not None:
                    _stop_in_background(old.watcher)
                    del self._views[account.name]
                    self._order.remove(account.name)
                new = self._add(account)
                changed.add(account.name)
                if self._started:
                    new.watcher.start()
            if self._store is not None:
                for name in forgotten:
                    if name not in removed:
                        continue
                    try:
                        self._store.hold_account(name, removed[name].email)
                    except Exception:
                        log.exception("%s: could not put the stored state aside", name)
            self._publish(items_changed=True, health_changed=frozenset(changed))

        self._post(apply)

    # ---- internals

    def _make_watcher(
        self, account: AccountConfig, emit: Callable[[WorkerEvent], None]
    ) -> AccountWatcher:
        return AccountWatcher(
            account,
            self._password,
            emit,
            connect=self._connect,
            timings=self._timings,
            clock=self._clock,
            rng=self._rng,
        )

    def _add(self, account: AccountConfig) -> _AccountView:
        token = object()

        def emit(event: WorkerEvent) -> None:
            self._events.put(_FromWorker(token, event))

        watcher = self._factory(account, emit)
        items: tuple[Inquiry, ...] = ()
        if self._store is not None:
            # Until the first scan, show what was last known (the health says it is not live).
            items = tuple(self._store.items(account.name))
        view = _AccountView(account, watcher, watcher.health, token, items=items)
        self._views[account.name] = view
        self._order.append(account.name)
        return view

    def _post(self, run: Callable[[], None]) -> None:
        """Run on the dispatcher thread, in order with worker events; never waits. Before
        start() (and after stop()) there is no dispatcher: run at once."""
        if not self._started or self._stopped or threading.current_thread() is self._thread:
            run()
            return
        self._events.put(_Command(run))

    def _dispatch(self) -> None:
        next_tick = time.monotonic() + RECOMPUTE_EVERY
        while True:
            try:
                event = self._events.get(timeout=max(0.0, next_tick - time.monotonic()))
            except queue.Empty:
                event = _TICK
            if time.monotonic() >= next_tick:
                # Every minute, however busy the queue: the look-back moves, state is pruned.
                next_tick = time.monotonic() + RECOMPUTE_EVERY
                try:
                    self._prune_if_due()
                    self._recompute_all()
                except Exception:
                    log.exception("watch service: the periodic recompute failed")
            if event is _TICK:
                continue
            if event is None:
                return
            try:
                if isinstance(event, _Command):
                    event.run()
                else:
                    self._apply(event)
            except Exception:
                log.exception("watch service: could not apply %s", type(event).__name__)

    def _apply(self, message: _FromWorker) -> None:
        event = message.event
        view = self._views.get(event.account)
        if view is None or view.token is not message.token:
            return  # a stopped watcher of a removed or replaced account
        if isinstance(event, HealthChanged):
            if view.health == event.health:
                return
            view.health = event.health
            if event.health.state is HealthState.CONNECTED:
                self._live.add(event.account)
            self._publish(items_changed=False, health_changed=frozenset({event.account}))
            return
        assert isinstance(event, MailboxChanged)
        answers_before = self._all_replied_ids()
        view.mailbox = event
        if self._all_replied_ids() != answers_before and len(self._views) > 1:
            # A reply in this account's Sent may answer an inquiry that came to another.
            self._recompute_all()
            self._persist(view)
            return
        items_changed = self._recompute(view)
        self._persist(view)
        if items_changed:
            self._publish(items_changed=True, health_changed=frozenset())

    def _all_replied_ids(self) -> frozenset[str]:
        """What the Sent folders of ALL the user's accounts answer: a reply from any of my
        addresses answers the inquiry, whichever account it came to."""
        ids: set[str] = set()
        for other in self._views.values():
            if other.mailbox is not None:
                ids.update(other.mailbox.replied_ids)
        return frozenset(ids)

    def _all_sent(self) -> list[MessageHeaders]:
        sent: list[MessageHeaders] = []
        for other in self._views.values():
            if other.mailbox is not None:
                sent.extend(other.mailbox.sent)
        return sent

    def _waiting(
        self,
        view: _AccountView,
        mailbox: MailboxChanged,
        now: datetime,
        dismissed_ids: Collection[str],
        ignored: Collection[str],
    ) -> list[Inquiry]:
        """What waits in this account's last scan, less `dismissed_ids` and the `ignored`
        senders (with no dismissed ids: what the list would show without the dismissals)."""
        name = view.account.name
        inbox: Sequence[MessageFacts] = mailbox.inbox
        if self._store is not None and any(f.first_seen for f in inbox):
            inbox = keep_first_seen(inbox, self._store.items(name))  # a clock started then
        waiting = waiting_inquiries(
            view.account,
            inbox,
            self._all_replied_ids(),
            now,
            dismissed_ids=dismissed_ids,
            ignored_senders=ignored,
            schedule=self._policy.schedule(view.account),
            previews=mailbox.previews,  # fetched by the worker before it emitted
        )
        return waiting

    def _recompute(self, view: _AccountView) -> bool:
        mailbox = view.mailbox
        if mailbox is None:
            return False
        name = view.account.name
        now = self._clock.now()
        dismissed: Collection[str] = ()
        ignored: Collection[str] = ()
        if self._store is not None:
            dismissed = self._store.dismissed_ids(name)
            ignored = self._store.ignored_senders(name)
        view.watcher.set_dismissed(dismissed)  # it stops keeping what was dismissed
        waiting = self._waiting(view, mailbox, now, dismissed, ignored)
        items = tuple(self._with_acknowledgements(name, waiting, self._all_sent()))
        if self._auto_replier is not None:
            try:
                absence = away_at(self._policy.holds().absences, now)
                self._auto_replier.consider(view.account, items, absence)
            except Exception:
                log.exception("%s: auto-reply check failed", name)
        if items == view.items:
            return False
        view.items = _reusing(items, view.items)
        return True

    def _with_acknowledgements(
        self, account: str, waiting: list[Inquiry], sent: Sequence[MessageHeaders]
    ) -> list[Inquiry]:
        if self._merge_acks is None:
            return waiting
        return self._merge_acks(account, waiting, sent)

    def _persist(self, view: _AccountView) -> None:
        mailbox = view.mailbox
        if self._store is None or mailbox is None:
            return
        from trayapp.store.db import SyncState

        name = view.account.name
        try:
            self._store.record_scan(name, view.items, mailbox.at)
            self._store.set_sync_state(
                SyncState(
                    name,
                    "INBOX",
                    mailbox.uidvalidity,
                    mailbox.uidnext,
                    mailbox.highestmodseq,
                    mailbox.at,
                )
            )
        except Exception:
            # The live picture stays right even when the disk is not; say so in the log.
            log.exception("%s: could not save the waiting set", name)

    def prune(self) -> None:
        """Bounded state: forget the dismissals and notification records of messages the
        look-back can no longer show (dispatcher thread; every PRUNE_EVERY)."""
        if self._store is None or not self._views:
            return
        now = self._clock.now()
        self._pruned_at = now
        try:
            longest = max(v.account.lookback_days for v in self._views.values())
            for view in self._views.values():
                since = lookback_start(view.account, now) - PRUNE_MARGIN
                self._store.prune_dismissals(view.account.name, since)
            # Every deadline still shown is after its message arrived, so after the look-back.
            cutoff = now - timedelta(days=longest) - PRUNE_MARGIN
            self._store.prune_notifications(cutoff)
            self._notified_before = cutoff
        except Exception:
            log.exception("could not prune the stored state")
            return
        # Tell the GUI's ledger now (every PRUNE_EVERY): it forgets what the table forgot.
        self._publish(items_changed=False, health_changed=frozenset())

    def _prune_if_due(self) -> None:
        at = self._pruned_at
        if at is None or self._clock.now() - at >= PRUNE_EVERY:
            self.prune()

    def _recompute_all(self) -> None:
        changed = False
        for view in self._views.values():
            if self._recompute(view):
                self._persist(view)
                changed = True
        last = self._last
        holds_changed = last is not None and self._holds(self._clock.now()) != last.holds
        if changed or holds_changed:  # a snooze or an absence the user just set
            self._publish(items_changed=changed, health_changed=frozenset())

    def _build(self, *, items_changed: bool, health_changed: frozenset[str]) -> WatchSnapshot:
        views = [self._views[n] for n in self._order]
        items = sort_by_urgency(i for v in views for i in v.items)
        now = self._clock.now()
        return WatchSnapshot(
            at=now,
            holds=self._holds(now),
            items=tuple(items),
            health={v.account.name: v.health for v in views},
            accounts=tuple(v.account for v in views),
            items_changed=items_changed,
            health_changed=health_changed,
            live=frozenset(n for n in self._live if n in self._views),
            notified_before=self._notified_before,
        )

    def _holds(self, now: datetime) -> Holds:
        try:
            holds = self._policy.holds()
            if self._store is not None:
                holds = replace(holds, snoozed=self._store.snoozes(now))
        except Exception:
            log.exception("could not read snoozes and absences")
            return Holds()
        return holds

    def _publish(self, *, items_changed: bool, health_changed: frozenset[str]) -> None:
        snapshot = self._build(items_changed=items_changed, health_changed=health_changed)
        with self._state_lock:
            self._last = snapshot
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            self._safe_call(listener, snapshot)

    @staticmethod
    def _safe_call(listener: Listener, snapshot: WatchSnapshot) -> None:
        try:
            listener(snapshot)
        except Exception:
            log.exception("watch listener failed")


def _reusing(items: tuple[Inquiry, ...], before: tuple[Inquiry, ...]) -> tuple[Inquiry, ...]:
    """`items`, each one that equals its predecessor replaced by that predecessor: the picture
    (and the GUI, which still holds the last one) keeps one object per unchanged item, not a
    new copy each minute or each time one item of 2,000 changes."""
    if not before:
        return items
    previous = {item.id: item for item in before}
    return tuple(
        old if (old := previous.get(item.id)) is not None and old == item else item
        for item in items
    )

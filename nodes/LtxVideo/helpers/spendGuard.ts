/**
 * Spend guards of one node run (issue 22): "Max Spend per Run" and "Keep Account Balance Above".
 *
 * A video's price is known only from its create answer (`generate.cost`, leonardo-api.md §1.4, §7.8), so the
 * first video of each kind (model, duration, resolution, frames or not) is created alone, while nothing else
 * of unknown price is in flight; its reported cost is then the estimate for the others of its kind. Every
 * create reserves its estimate before it is sent and settles with the reported cost after, all within this
 * one object, so items running side by side (any concurrency, Auto) cannot pass a limit together.
 *
 * The balance is `apiSubscriptionTokens + apiPaidTokens` of GET /v1/me (§4), read once per run: API credits.
 * UNVERIFIED: whether Leonardo debits these at the create and in the unit of `cost` (`npm run probe --
 * --spend` compares them); for a key billed in DOLLARS no balance field is documented, so the floor refuses
 * to run rather than pretend.
 */
import { InvalidInputError } from '../../shared/errors';
import { throwIfCancelled, WaitCancelledError } from '../../shared/pacing';
import type { AccountDetails, GenerationCost } from '../../shared/responses';
import { toNumber } from '../../shared/validation';
import type { CreatedGenerationEntry } from './createdGenerations';
import type { GenerateRequest } from './generateRequest';

/** 0 = off. In the unit Leonardo reports in `cost` (credits or dollars). */
export interface SpendLimits {
	maxSpendPerRun: number;
	keepBalanceAbove: number;
}

/** The unit of the balance that GET /v1/me reports (API tokens, i.e. credits). */
const BALANCE_UNIT = 'CREDITS';

function validateAmount(value: unknown, label: string): number {
	if (value === undefined || value === null || value === '') return 0;
	const amount = toNumber(value);
	if (amount === undefined || amount < 0) {
		const shown = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
		throw new InvalidInputError(
			`"${label}" must be a number of 0 or more, not ${shown}`,
			`Set Options → "${label}" to an amount in the unit Leonardo reports in "cost" (credits or dollars), or 0 to turn it off.`,
		);
	}
	return amount;
}

export function validateSpendLimits(options: { maxSpendPerRun?: unknown; keepBalanceAbove?: unknown }): SpendLimits {
	return {
		maxSpendPerRun: validateAmount(options.maxSpendPerRun, 'Max Spend per Run'),
		keepBalanceAbove: validateAmount(options.keepBalanceAbove, 'Keep Account Balance Above'),
	};
}

/** Videos of one kind are assumed to cost the same. */
export function costKind(request: GenerateRequest): string {
	return [request.model, request.duration, request.resolution, request.startFrame ? 'frames' : 'text'].join('|');
}

/** A decimal amount such as "0.48"; undefined when Leonardo reported none (or nothing readable). */
function amountOf(cost: GenerationCost | undefined): number | undefined {
	const amount = toNumber(cost?.amount);
	return amount !== undefined && amount >= 0 ? amount : undefined;
}

/** Sums of decimal amounts without binary noise (0.1 + 0.2). */
const tidy = (amount: number) => Math.round(amount * 1e6) / 1e6;

/** The API-credit balance of GET /v1/me, or why there is none. */
function creditBalance(account: AccountDetails): number | string {
	const parts = [account.apiSubscriptionTokens, account.apiPaidTokens].filter((part): part is number => part !== undefined);
	return parts.length ? parts.reduce((sum, part) => sum + part, 0) : 'GET /v1/me reported no API credit balance (apiSubscriptionTokens, apiPaidTokens)';
}

/** A create's share of the guard: what it reserved until Leonardo answers. */
export interface Reservation {
	kind: string;
	/** The kind's cost; for the first video of a kind, the highest cost seen in this run (if any). */
	estimate?: number;
	/** The first video of its kind: its price is unknown until Leonardo answers. */
	pricing: boolean;
}

type Decision = { go: Reservation } | { wait: true } | { refuse: InvalidInputError };

export class SpendGuard {
	/** What this run has spent: reported costs (and stand-ins for unreported ones while a guard is on). */
	private spent = 0;
	/** Of `spent`, what earlier tries of this run spent (resumed generations): already in any balance read now. */
	private readonly spentBefore: number;
	private unit?: string;
	private reserved = 0;
	private pricing = false;
	private readonly estimates = new Map<string, number>();
	private highest?: number;
	/** Why the guards cannot be checked any more (a cost that cannot be counted). */
	private uncheckable?: string;
	private noCostNoticeGiven = false;
	private balance?: Promise<number | string>;
	private changed = new Changes();

	/**
	 * `recorded`: what earlier tries of this node run created (createdGenerations.ts). Those generations are
	 * resumed, not created again, so their cost counts once, here, before any item runs.
	 */
	constructor(
		private readonly readAccount: () => Promise<AccountDetails>,
		recorded: CreatedGenerationEntry[],
	) {
		// Reported costs first: an entry without one counts as the highest of them.
		const reported = recorded.filter((entry) => amountOf(entry.cost) !== undefined);
		for (const entry of [...reported, ...recorded.filter((entry) => !reported.includes(entry))]) {
			this.count(entry.cost, entry.generationId ? `generation ${entry.generationId}` : 'a create of an earlier try without a clear answer', true);
		}
		this.spentBefore = this.spent;
	}

	/** The run's spend so far, as output in `spentThisRun`. */
	get total(): number {
		return this.spent;
	}

	/**
	 * Waits until a create of `kind` fits both limits, and reserves its estimate; throws the refusal (an
	 * InvalidInputError: the item fails, nothing is sent) when it cannot fit, or WaitCancelledError on `signal`.
	 */
	async reserve(kind: string, limits: SpendLimits, signal: AbortSignal): Promise<Reservation | undefined> {
		if (!limits.maxSpendPerRun && !limits.keepBalanceAbove) return undefined;
		const balance = limits.keepBalanceAbove ? await this.readBalance() : undefined;
		for (;;) {
			throwIfCancelled(signal);
			const decision = this.decide(kind, limits, balance);
			if ('go' in decision) return decision.go;
			if ('refuse' in decision) throw decision.refuse;
			await this.changed.next(signal);
		}
	}

	/** Leonardo answered the create with a generation: its cost replaces the reservation. Returns a notice, if any. */
	settle(reservation: Reservation | undefined, kind: string, cost: GenerationCost | undefined, generationId: string): string | undefined {
		this.unreserve(reservation);
		const amount = amountOf(cost);
		if (amount !== undefined && !this.estimates.has(kind)) this.estimates.set(kind, amount);
		return this.count(cost, `generation ${generationId}`, reservation !== undefined);
	}

	/** The create was refused (nothing created): the reservation is free again. */
	release(reservation: Reservation | undefined): void {
		this.unreserve(reservation);
	}

	/** The create got no clear answer: it may be a paid video, so it counts at its estimate. */
	keepAsSpent(reservation: Reservation | undefined): void {
		if (!reservation) return;
		this.unreserve(reservation);
		this.count(reservation.estimate === undefined ? undefined : { amount: String(reservation.estimate), unit: this.unit }, 'a create that got no clear answer', true);
	}

	private unreserve(reservation: Reservation | undefined): void {
		if (!reservation) return;
		if (reservation.pricing) this.pricing = false;
		this.reserved = tidy(this.reserved - (reservation.estimate ?? 0));
		this.changed.notify();
	}

	/** Adds a cost to the run's spend; a missing one (while guarded) is counted as the highest cost seen. */
	private count(cost: GenerationCost | undefined, what: string, guarded: boolean): string | undefined {
		const amount = amountOf(cost);
		if (amount !== undefined) {
			if (this.unit === undefined) this.unit = cost?.unit;
			else if (cost?.unit !== undefined && cost.unit !== this.unit) {
				this.uncheckable = `Leonardo reported costs in two units (${this.unit} and ${cost.unit})`;
			}
			this.spent = tidy(this.spent + amount);
			this.highest = Math.max(this.highest ?? 0, amount);
			return undefined;
		}
		if (!guarded) return undefined;
		const firstNotice = !this.noCostNoticeGiven;
		this.noCostNoticeGiven = true;
		if (this.highest === undefined) {
			this.uncheckable = `Leonardo reported no cost for ${what}, and no earlier create of this run reported one`;
			return firstNotice
				? 'Leonardo reported no cost for this video and none is known from this run: the spend limits cannot be checked, so no further video of this run is created.'
				: undefined;
		}
		this.spent = tidy(this.spent + this.highest);
		return firstNotice
			? `Leonardo reported no cost for this video: it is counted as ${this.highest}${this.unit ? ` ${this.unit}` : ''} (the highest cost seen in this run) in "spentThisRun" and the spend limits.`
			: undefined;
	}

	private async readBalance(): Promise<number | string> {
		this.balance ??= this.readAccount().then(creditBalance, (error: unknown) => `reading GET /v1/me failed (${error instanceof Error ? error.message : String(error)})`);
		return await this.balance;
	}

	private decide(kind: string, limits: SpendLimits, balance: number | string | undefined): Decision {
		if (this.uncheckable) return { refuse: uncheckableError(this.uncheckable) };
		if (typeof balance === 'string') return { refuse: floorUnreadable(balance) };
		if (balance !== undefined && this.unit !== undefined && this.unit.toUpperCase() !== BALANCE_UNIT) return { refuse: floorInOtherUnit(this.unit) };
		const known = this.estimates.get(kind);
		// One video of unknown price at a time, estimated at the highest cost seen: the most the guards can be
		// passed by is what that one video costs more than the estimate (all of it before any cost is known).
		if (known === undefined && this.pricing) return { wait: true };
		const pricing = known === undefined;
		const estimate = known ?? this.highest;
		const committed = tidy(this.spent + this.reserved);
		const afterwards = tidy(committed + (estimate ?? 0));
		const { maxSpendPerRun: max, keepBalanceAbove: floor } = limits;
		const balanceNow = balance === undefined ? undefined : tidy(balance - (committed - this.spentBefore));
		const withinLimit = !max || (estimate === undefined ? committed < max : afterwards <= max);
		const aboveFloor = balanceNow === undefined || (estimate === undefined ? balanceNow > floor : tidy(balanceNow - estimate) >= floor);
		if (withinLimit && aboveFloor) {
			this.pricing ||= pricing;
			this.reserved = tidy(this.reserved + (estimate ?? 0));
			return { go: { kind, estimate, pricing } };
		}
		// A create in flight may settle below its estimate: decide again once it has.
		if (this.reserved > 0 || this.pricing) return { wait: true };
		const unit = this.unit ? ` ${this.unit}` : '';
		const about = estimate === undefined ? 'the cost of this kind of video is not known yet' : `this video would cost about ${estimate}${unit}`;
		if (!withinLimit) {
			return {
				refuse: new InvalidInputError(
					`Spend limit of ${max}${unit} reached: ${committed}${unit} spent in this run, ${about}`,
					'Nothing was sent for this item. Raise Options → "Max Spend per Run" (0 = no limit), or run the remaining items in a new run.',
				),
			};
		}
		return {
			refuse: new InvalidInputError(
				`Account balance floor of ${floor}${unit} reached: the balance was ${balance}${unit} when this run started, ${tidy(committed - this.spentBefore)}${unit} spent since, ${about}`,
				'Nothing was sent for this item. Top up your Leonardo API credits, or lower Options → "Keep Account Balance Above" (0 = off). The balance is your API credits (apiSubscriptionTokens + apiPaidTokens in your account details, unverified): a key billed in dollars shows none there, so remove the option for it.',
			),
		};
	}
}

function uncheckableError(reason: string): InvalidInputError {
	return new InvalidInputError(
		`The spend limits cannot be checked: ${reason}`,
		'Nothing was sent for this item: a limit that cannot be checked is not a limit. Check the spend in your Leonardo account, then run the remaining items again, or remove "Max Spend per Run" and "Keep Account Balance Above".',
	);
}

function floorUnreadable(reason: string): InvalidInputError {
	return new InvalidInputError(
		`"Keep Account Balance Above" cannot be checked: ${reason}`,
		'Nothing was sent for this item. Check the key in the Leonardo.AI API credential, or remove "Keep Account Balance Above" (use "Max Spend per Run" to cap what one run spends).',
	);
}

function floorInOtherUnit(unit: string): InvalidInputError {
	return new InvalidInputError(
		`"Keep Account Balance Above" cannot be checked: Leonardo bills this key in ${unit}, and GET /v1/me reports a balance only in API credits`,
		'Nothing more was sent. Remove "Keep Account Balance Above" and use "Max Spend per Run" to cap what one run spends.',
	);
}

/** A promise that resolves at the next change of the reservations (or rejects when `signal` fires). */
class Changes {
	private waiters: Array<() => void> = [];

	notify(): void {
		const waiters = this.waiters;
		this.waiters = [];
		for (const wake of waiters) wake();
	}

	async next(signal: AbortSignal): Promise<void> {
		await new Promise<void>((resolve, reject) => {
			const onAbort = () => reject(new WaitCancelledError());
			signal.addEventListener('abort', onAbort, { once: true });
			this.waiters.push(() => {
				signal.removeEventListener('abort', onAbort);
				resolve();
			});
		});
	}
}

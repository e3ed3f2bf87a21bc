/**
 * People's accounts and their sessions. Passwords are hashed with argon2id; session tokens and their
 * CSRF tokens are random, and only a session token's SHA-256 is stored. Signing in is a short series
 * of stages (password, TOTP, changing a one-time password, enrolling TOTP where the role requires it);
 * only a session that has passed them all reaches anything else.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { StenoError } from '../core/errors.js';
import { sha256 } from '../core/hash.js';
import { DESK_SCOPED, isRole, type Principal, ROLES, type Role, rolePermissions, TOTP_REQUIRED } from './roles.js';
import { matchTotp, newTotpSecret, totpUri } from './totp.js';

/** @node-rs/argon2's Algorithm.Argon2id (a const enum, which isolated modules cannot read). */
const ARGON2ID = 2 as Algorithm;
/** OWASP's argon2id settings: 19 MiB, two passes, one lane. */
const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const LOCKOUT = { failures: 5, minutes: 15 } as const;
export const SESSION_LIMITS = { idleMinutes: 30, hours: 12 } as const;
/** A session's last use is written at most this often: every request need not be a write. */
const TOUCH_EVERY_MS = 60_000;
const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const DESK = /^[^\p{Cc}|,]{1,64}$/u;
const PASSWORD_LENGTH = { min: 12, max: 200 } as const;

export type Stage = 'totp' | 'change-password' | 'enroll-totp' | 'ready';

export interface UserRecord {
  username: string;
  role: Role;
  desks: string[];
  passwordHash: string;
  /** A one-time password was set: the next sign-in must replace it. */
  mustChangePassword: boolean;
  totpSecret: string | null;
  /** The last TOTP step accepted: a code works once. */
  totpLastStep: number | null;
  /** A secret being enrolled, active once a code from it is confirmed. */
  pendingTotpSecret: string | null;
  failedSignIns: number;
  lockedUntilMs: number | null;
  disabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
}

export interface SessionRecord {
  username: string;
  totpPassed: boolean;
  csrfToken: string;
  createdAtMs: number;
  lastSeenAtMs: number;
  from: string;
}

export interface AccountStorage {
  findUser(username: string): Promise<{ user: UserRecord; version: number } | null>;
  listUsers(): Promise<UserRecord[]>;
  /** False when the username is taken. */
  insertUser(user: UserRecord): Promise<boolean>;
  /** False when another writer changed the user since `version` was read. */
  updateUser(user: UserRecord, version: number): Promise<boolean>;
  insertSession(idHash: Buffer, session: SessionRecord, expiresAtMs: number): Promise<void>;
  findSession(idHash: Buffer): Promise<SessionRecord | null>;
  /** Changes a session that still exists; one deleted meanwhile stays deleted. */
  updateSession(idHash: Buffer, session: SessionRecord, expiresAtMs: number): Promise<void>;
  deleteSession(idHash: Buffer): Promise<void>;
  /** Ends a user's sessions; with `expiredBefore`, only those expired by then (everyone's). */
  deleteSessions(which: { username: string } | { expiredBefore: number }): Promise<void>;
}

/** What the console shows of a user: never a hash or a secret. */
export interface UserView {
  username: string;
  role: Role;
  desks: string[];
  totpEnrolled: boolean;
  locked: boolean;
  disabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
}

export interface SessionView {
  user: { username: string; role: Role; desks: string[] };
  stage: Stage;
  csrfToken: string;
  expiresAt: string;
}

/** A session as a request sees it. */
export interface ActiveSession {
  idHash: Buffer;
  session: SessionRecord;
  user: UserRecord;
  stage: Stage;
}

export class AccountService {
  private readonly storage: AccountStorage;
  private readonly now: () => number;
  /** A hash to verify against when the user does not exist, so that the answer takes as long. */
  private decoyHash: Promise<string> | null = null;

  constructor(storage: AccountStorage, options: { now?: () => number } = {}) {
    this.storage = storage;
    this.now = options.now ?? Date.now;
  }

  /** Whether a username is an account's: a failed sign-in names the user only then. */
  async knows(username: unknown): Promise<boolean> {
    return typeof username === 'string' && USERNAME.test(username) && (await this.storage.findUser(username)) !== null;
  }

  async hasUsers(): Promise<boolean> {
    return (await this.storage.listUsers()).length > 0;
  }

  async list(): Promise<UserView[]> {
    return (await this.storage.listUsers()).map((u) => this.view(u));
  }

  async get(username: string): Promise<UserView> {
    return this.view((await this.require(username)).user);
  }

  /** Creates a user with a one-time password (or the given one), which the first sign-in must change. */
  async create(input: {
    username: unknown;
    role: unknown;
    desks?: unknown;
    password?: string;
  }): Promise<{ user: UserView; oneTimePassword: string }> {
    const username = checkUsername(input.username);
    const role = checkRole(input.role);
    const desks = scopedDesks(checkDesks(input.desks ?? [], role), role);
    // A one-time password is random; only a chosen one is checked.
    if (input.password !== undefined) checkPassword(input.password, username, 'password');
    const password = input.password ?? oneTimePassword();
    const user: UserRecord = {
      username,
      role,
      desks,
      passwordHash: await hash(password, ARGON2_OPTIONS),
      mustChangePassword: true,
      totpSecret: null,
      totpLastStep: null,
      pendingTotpSecret: null,
      failedSignIns: 0,
      lockedUntilMs: null,
      disabled: false,
      createdAt: new Date(this.now()).toISOString(),
      lastSignInAt: null,
    };
    if (!(await this.storage.insertUser(user))) {
      throw new StenoError('conflict', `a user named "${username}" already exists`);
    }
    return { user: this.view(user), oneTimePassword: password };
  }

  /** Changes a user's role, desks or whether they may sign in; returns what changed. */
  async update(
    username: string,
    patch: Record<string, unknown>,
  ): Promise<{ user: UserView; changed: Record<string, unknown> }> {
    for (const key of Object.keys(patch)) {
      if (!['role', 'desks', 'disabled'].includes(key)) {
        throw new StenoError('invalid_input', `"${key.slice(0, 40)}" cannot be changed; send role, desks or disabled`, {
          problems: [{ where: key.slice(0, 40), message: 'is not a setting of a user' }],
        });
      }
    }
    let changed: Record<string, unknown> = {};
    const user = await this.change(username, (u) => {
      changed = {};
      const role = patch.role === undefined ? u.role : checkRole(patch.role);
      const desks = scopedDesks(checkDesks(patch.desks ?? u.desks, role), role);
      if (role !== u.role) changed.role = role;
      if (desks.join('|') !== u.desks.join('|')) changed.desks = desks;
      u.role = role;
      u.desks = desks;
      if (patch.disabled !== undefined) {
        if (typeof patch.disabled !== 'boolean') {
          throw new StenoError('invalid_input', 'disabled must be true or false', {
            problems: [{ where: 'disabled', message: 'must be true or false' }],
          });
        }
        if (patch.disabled !== u.disabled) changed.disabled = patch.disabled;
        u.disabled = patch.disabled;
      }
    });
    if (user.disabled) await this.storage.deleteSessions({ username });
    return { user: this.view(user), changed };
  }

  /** A new one-time password; TOTP is removed and every session ended (a lost phone, a forgotten password). */
  async reset(username: string): Promise<{ oneTimePassword: string }> {
    const password = oneTimePassword();
    const passwordHash = await hash(password, ARGON2_OPTIONS);
    await this.change(username, (u) => {
      u.passwordHash = passwordHash;
      u.mustChangePassword = true;
      u.totpSecret = null;
      u.totpLastStep = null;
      u.pendingTotpSecret = null;
      u.failedSignIns = 0;
      u.lockedUntilMs = null;
    });
    await this.storage.deleteSessions({ username });
    return { oneTimePassword: password };
  }

  /**
   * Checks a password and opens a session at its first stage. Five failures in a row lock the account
   * for fifteen minutes; the answer to a wrong password and to an unknown user is the same.
   */
  async signIn(input: { username: unknown; password: unknown; from: string }): Promise<{
    token: string;
    active: ActiveSession;
  }> {
    const username = typeof input.username === 'string' ? input.username.trim().toLowerCase() : '';
    const password = typeof input.password === 'string' ? input.password : '';
    if (username === '' || password === '' || password.length > PASSWORD_LENGTH.max) {
      throw new StenoError('invalid_input', 'send {"username", "password"}', {
        problems: [{ where: username === '' ? 'username' : 'password', message: 'is required' }],
      });
    }
    const found = USERNAME.test(username) ? await this.storage.findUser(username) : null;
    const now = this.now();
    if (found === null) {
      await verify(await this.decoy(), password);
      throw wrongPassword();
    }
    // A locked account answers as a wrong password does, after the same work: the answer must not
    // tell a guesser which usernames exist.
    const ok = await verify(found.user.passwordHash, password);
    if (isLocked(found.user, now)) throw wrongPassword();
    if (!ok || found.user.disabled) {
      if (!ok) await this.change(username, (u) => this.countFailure(u));
      throw wrongPassword();
    }
    let lockedMeanwhile = false;
    const user = await this.change(username, (u) => {
      // Guesses sent side by side all passed the check above; one that locked the account since wins.
      lockedMeanwhile = isLocked(u, now);
      if (lockedMeanwhile) return;
      u.failedSignIns = 0;
      u.lastSignInAt = new Date(now).toISOString();
    });
    if (lockedMeanwhile) throw wrongPassword();
    await this.storage.deleteSessions({ expiredBefore: now });
    const token = randomBytes(32).toString('base64url');
    const session: SessionRecord = {
      username,
      totpPassed: false,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAtMs: now,
      lastSeenAtMs: now,
      from: input.from,
    };
    const idHash = sha256(Buffer.from(token));
    await this.storage.insertSession(idHash, session, this.expiresAt(session));
    return { token, active: { idHash, session, user, stage: stageOf(user, session) } };
  }

  /** The session a cookie names, if it is still valid; its last use is kept up to date. */
  async session(token: string | undefined): Promise<ActiveSession | null> {
    if (token === undefined || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const idHash = sha256(Buffer.from(token));
    const session = await this.storage.findSession(idHash);
    if (session === null) return null;
    const now = this.now();
    if (now >= this.expiresAt(session)) {
      await this.storage.deleteSession(idHash);
      return null;
    }
    const found = await this.storage.findUser(session.username);
    if (found === null || found.user.disabled) {
      await this.storage.deleteSession(idHash);
      return null;
    }
    if (now - session.lastSeenAtMs >= TOUCH_EVERY_MS) {
      session.lastSeenAtMs = now;
      await this.storage.updateSession(idHash, session, this.expiresAt(session));
    }
    return { idHash, session, user: found.user, stage: stageOf(found.user, session) };
  }

  async signOut(active: ActiveSession): Promise<void> {
    await this.storage.deleteSession(active.idHash);
  }

  /** Stage `totp`: the code from the enrolled authenticator. */
  async passTotp(active: ActiveSession, code: unknown): Promise<ActiveSession> {
    requireStage(active, ['totp']);
    const secret = active.user.totpSecret;
    if (secret === null) throw new StenoError('conflict', 'no authenticator is enrolled');
    const step = matchTotp(secret, typeof code === 'string' ? code.trim() : '', this.now());
    let accepted = false;
    let lockedUser: UserRecord | null = null;
    const user = await this.change(active.user.username, (u) => {
      lockedUser = null;
      accepted = false;
      // Read from the stored user, not the session's copy: the lock may have come since.
      if (isLocked(u, this.now())) {
        lockedUser = u;
        return;
      }
      accepted = step !== null && (u.totpLastStep === null || step > u.totpLastStep);
      if (accepted) {
        u.totpLastStep = step;
        u.failedSignIns = 0;
      } else {
        // Wrong codes count toward the lockout as wrong passwords do: a code has only a million values.
        this.countFailure(u);
      }
    });
    if (lockedUser !== null) throw locked(lockedUser);
    if (!accepted) throw wrongCode();
    active.session.totpPassed = true;
    await this.storage.updateSession(active.idHash, active.session, this.expiresAt(active.session));
    return { ...active, user, stage: stageOf(user, active.session) };
  }

  /** Replaces the password (stage `change-password`, or when ready); other sessions of the user end. */
  async changePassword(active: ActiveSession, current: unknown, next: unknown): Promise<ActiveSession> {
    requireStage(active, ['change-password', 'ready']);
    if (typeof current !== 'string' || !(await verify(active.user.passwordHash, current))) {
      // Counted as a failed sign-in: a session alone must not be a way to guess the password.
      await this.change(active.user.username, (u) => this.countFailure(u));
      throw new StenoError('invalid_input', 'the current password is wrong', {
        problems: [{ where: 'current', message: 'is wrong' }],
      });
    }
    const password = typeof next === 'string' ? next : '';
    checkPassword(password, active.user.username, 'next');
    if (password === current) {
      throw new StenoError('invalid_input', 'the new password must differ from the current one', {
        problems: [{ where: 'next', message: 'must differ from the current password' }],
      });
    }
    const passwordHash = await hash(password, ARGON2_OPTIONS);
    const user = await this.change(active.user.username, (u) => {
      u.passwordHash = passwordHash;
      u.mustChangePassword = false;
    });
    await this.storage.deleteSessions({ username: user.username });
    await this.storage.insertSession(active.idHash, active.session, this.expiresAt(active.session));
    return { ...active, user, stage: stageOf(user, active.session) };
  }

  /** A new secret to enrol (stage `enroll-totp`, or when ready); it counts once a code from it is confirmed. */
  async startTotp(active: ActiveSession): Promise<{ secret: string; uri: string }> {
    requireStage(active, ['enroll-totp', 'ready']);
    const secret = newTotpSecret();
    await this.change(active.user.username, (u) => {
      u.pendingTotpSecret = secret;
    });
    return { secret, uri: totpUri({ secret, account: active.user.username, issuer: 'Steno' }) };
  }

  async confirmTotp(active: ActiveSession, code: unknown): Promise<ActiveSession> {
    requireStage(active, ['enroll-totp', 'ready']);
    const user = await this.change(active.user.username, (u) => {
      if (u.pendingTotpSecret === null) {
        throw new StenoError('conflict', 'start the enrolment first (POST /api/v1/session/totp/setup)');
      }
      const step = matchTotp(u.pendingTotpSecret, typeof code === 'string' ? code.trim() : '', this.now());
      if (step === null) throw wrongCode();
      u.totpSecret = u.pendingTotpSecret;
      u.pendingTotpSecret = null;
      u.totpLastStep = step;
    });
    active.session.totpPassed = true;
    await this.storage.updateSession(active.idHash, active.session, this.expiresAt(active.session));
    return { ...active, user, stage: stageOf(user, active.session) };
  }

  /** Whether the presented CSRF token is the session's. */
  csrfMatches(active: ActiveSession, presented: string | undefined): boolean {
    if (presented === undefined) return false;
    const a = Buffer.from(presented);
    const b = Buffer.from(active.session.csrfToken);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  viewSession(active: ActiveSession): SessionView {
    return {
      user: { username: active.user.username, role: active.user.role, desks: active.user.desks },
      stage: active.stage,
      csrfToken: active.session.csrfToken,
      expiresAt: new Date(this.expiresAt(active.session)).toISOString(),
    };
  }

  principal(user: UserRecord): Principal {
    return {
      kind: 'user',
      name: user.username,
      role: user.role,
      permissions: rolePermissions(user.role),
      desks: DESK_SCOPED.has(user.role) ? user.desks : null,
    };
  }

  /** One more failure in a row; the fifth locks the account for fifteen minutes. */
  private countFailure(u: UserRecord): void {
    u.failedSignIns += 1;
    if (u.failedSignIns >= LOCKOUT.failures) {
      u.lockedUntilMs = this.now() + LOCKOUT.minutes * 60_000;
      u.failedSignIns = 0;
    }
  }

  private expiresAt(session: SessionRecord): number {
    return Math.min(
      session.lastSeenAtMs + SESSION_LIMITS.idleMinutes * 60_000,
      session.createdAtMs + SESSION_LIMITS.hours * 3_600_000,
    );
  }

  private view(u: UserRecord): UserView {
    return {
      username: u.username,
      role: u.role,
      desks: u.desks,
      totpEnrolled: u.totpSecret !== null,
      locked: u.lockedUntilMs !== null && u.lockedUntilMs > this.now(),
      disabled: u.disabled,
      createdAt: u.createdAt,
      lastSignInAt: u.lastSignInAt,
    };
  }

  private async require(username: string): Promise<{ user: UserRecord; version: number }> {
    const found = USERNAME.test(username) ? await this.storage.findUser(username) : null;
    if (found === null) throw new StenoError('not_found', `no user named "${username.slice(0, 64)}"`);
    return found;
  }

  /** Read, change, write back; again when another writer got there first. */
  private async change(username: string, edit: (user: UserRecord) => void): Promise<UserRecord> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const { user, version } = await this.require(username);
      edit(user);
      if (await this.storage.updateUser(user, version)) return user;
    }
    throw new StenoError('conflict', `user "${username}" keeps being changed by another process; try again`);
  }

  private decoy(): Promise<string> {
    this.decoyHash ??= hash(randomBytes(16).toString('hex'), ARGON2_OPTIONS);
    return this.decoyHash;
  }
}

/** The stage a session is at: every check the user's account calls for, in order. */
function stageOf(user: UserRecord, session: SessionRecord): Stage {
  if (user.totpSecret !== null && !session.totpPassed) return 'totp';
  if (user.mustChangePassword) return 'change-password';
  if (user.totpSecret === null && TOTP_REQUIRED.has(user.role)) return 'enroll-totp';
  return 'ready';
}

function requireStage(active: ActiveSession, allowed: Stage[]): void {
  if (!allowed.includes(active.stage)) {
    throw new StenoError('conflict', `this session is at stage "${active.stage}"; do that first`);
  }
}

/** 20 random characters from an alphabet without look-alikes: about 115 bits. */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(20)].map((b) => alphabet[b % alphabet.length]).join('');
}

function isLocked(user: UserRecord, nowMs: number): boolean {
  return user.lockedUntilMs !== null && user.lockedUntilMs > nowMs;
}

function locked(user: UserRecord): StenoError {
  return new StenoError(
    'unauthorized',
    `this account is locked after ${LOCKOUT.failures} failed sign-ins until ${new Date(user.lockedUntilMs ?? 0).toISOString()}; an admin can reset it`,
  );
}

function wrongPassword(): StenoError {
  return new StenoError(
    'unauthorized',
    `the username or password is wrong, or the account is locked after ${LOCKOUT.failures} failures in a row (for ${LOCKOUT.minutes} minutes, or until an admin resets it)`,
  );
}

function wrongCode(): StenoError {
  return new StenoError('unauthorized', 'the code is wrong or was already used; use the current one', {
    problems: [{ where: 'code', message: 'is wrong or already used' }],
  });
}

function checkUsername(value: unknown): string {
  if (typeof value !== 'string' || !USERNAME.test(value)) {
    throw new StenoError('invalid_input', 'username must be 1-64 lower-case letters, digits, ".", "_" or "-"', {
      problems: [{ where: 'username', message: 'must be 1-64 lower-case letters, digits, ".", "_" or "-"' }],
    });
  }
  return value;
}

function checkRole(value: unknown): Role {
  if (!isRole(value)) {
    throw new StenoError('invalid_input', `role must be one of ${ROLES.join(', ')}`, {
      problems: [{ where: 'role', message: `must be one of ${ROLES.join(', ')}` }],
    });
  }
  return value;
}

function checkDesks(value: unknown, role: Role): string[] {
  if (!Array.isArray(value) || value.length > 100 || !value.every((d) => typeof d === 'string' && DESK.test(d))) {
    throw new StenoError('invalid_input', 'desks must be a list of desk names (1-64 characters, no "|" or ",")', {
      problems: [{ where: 'desks', message: 'must be a list of desk names' }],
    });
  }
  if (DESK_SCOPED.has(role) && value.length === 0) {
    throw new StenoError('invalid_input', `a ${role} needs at least one desk: desks are what they may see`, {
      problems: [{ where: 'desks', message: `a ${role} needs at least one desk` }],
    });
  }
  return [...new Set(value as string[])].sort();
}

/** Desks matter only to the roles they scope; the others see every desk and keep none. */
function scopedDesks(desks: string[], role: Role): string[] {
  return DESK_SCOPED.has(role) ? desks : [];
}

function checkPassword(password: string, username: string, where: string): void {
  if (password.length < PASSWORD_LENGTH.min || password.length > PASSWORD_LENGTH.max) {
    throw new StenoError(
      'invalid_input',
      `a password must be ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max} characters`,
      { problems: [{ where, message: `must be ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max} characters` }] },
    );
  }
  if (password.toLowerCase().includes(username)) {
    throw new StenoError('invalid_input', 'a password must not contain the username', {
      problems: [{ where, message: 'must not contain the username' }],
    });
  }
}

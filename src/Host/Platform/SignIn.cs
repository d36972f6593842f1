using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OneCard.Domain.Users;
using OneCard.Persistence;

namespace OneCard.Host.Platform;

/// <summary>Lockout after consecutive failures, each lock longer than the last (config <c>RateLimits:Lockout</c>).</summary>
public sealed class LockoutOptions
{
    public int MaxFailures { get; set; } = 5;
    /// <summary>The n-th lock lasts Periods[n] (the last repeats). Bound without a default: the binder appends to one.</summary>
    public TimeSpan[]? Periods { get; set; }
    /// <summary>A name with no failure for this long starts again at the shortest lock.</summary>
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromDays(1);

    public IReadOnlyList<TimeSpan> EffectivePeriods => Periods is { Length: > 0 } p
        ? p : [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1)];
}

/// <summary>What a sign-in attempt came to: a user and their new session, a failure, or a lock.</summary>
public sealed record SignInOutcome(CurrentUser? User, string? SessionId, DateTimeOffset? LockedUntil)
{
    public static readonly SignInOutcome Failed = new(null, null, null);
}

/// <summary>
/// A hash of a random password nobody knows, made once per host: an unknown user name is checked
/// against it so that it costs the same hash verification as a known one (no timing oracle).
/// </summary>
public sealed class DummyPassword(IPasswordHasher<User> hasher)
{
    public static readonly User User = new()
    {
        Id = "-", UserName = "-", DisplayName = "-", RegionCode = "-", PasswordHash = "",
    };

    private readonly Lazy<string> hash = new(() => hasher.HashPassword(User, Convert.ToHexString(RandomNumberGenerator.GetBytes(32))));

    public string Hash => hash.Value;
}

/// <summary>
/// Password sign-in with a per-name lockout and server-side sessions. Known and unknown names do the
/// same work (one hash verification) and get the same answers, including the lock.
/// </summary>
public sealed class SignInService(OneCardDbContext db, IPasswordHasher<User> hasher, DummyPassword dummy, TimeProvider time, LockoutOptions options)
{
    /// <summary>Sessions older than this are deleted when their user signs in again (they would need a month of sliding renewals).</summary>
    private static readonly TimeSpan SessionHousekeeping = TimeSpan.FromDays(30);

    public async Task<SignInOutcome> SignInAsync(string userName, string password, CancellationToken ct)
    {
        var key = Key(userName);
        var now = time.GetUtcNow();
        var state = await db.SignInLockouts.AsNoTracking().SingleOrDefaultAsync(l => l.UserName == key, ct);
        // While locked even the right password is refused, and not checked: a lock costs an attacker nothing to hit.
        if (state?.LockedUntil is { } lockedUntil && lockedUntil > now) return new SignInOutcome(null, null, lockedUntil);

        var user = await db.Users.AsNoTracking().Include(u => u.Roles).SingleOrDefaultAsync(u => u.UserName == userName, ct);
        var verified = hasher.VerifyHashedPassword(user ?? DummyPassword.User, user?.PasswordHash ?? dummy.Hash, password) != PasswordVerificationResult.Failed;
        // A user left without any role (only possible by hand in the database: the administrator's page refuses revoking the
        // last one) cannot sign in; the answer is the same as a wrong password.
        if (user is null || !verified || user.Roles.Count == 0)
        {
            var locked = await RecordFailureAsync(key, state, now, ct);
            return locked is null ? SignInOutcome.Failed : new SignInOutcome(null, null, locked);
        }

        if (state is not null) await db.SignInLockouts.Where(l => l.UserName == key).ExecuteDeleteAsync(ct);
        var old = now - SessionHousekeeping;
        await db.UserSessions.Where(s => s.UserId == user.Id && s.CreatedAt < old).ExecuteDeleteAsync(ct);
        var session = new UserSession { Id = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), UserId = user.Id, CreatedAt = now };
        db.UserSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return new SignInOutcome(new CurrentUser(user.Id, user.UserName, user.DisplayName, user.RoleNames, user.RegionCode, user.Organisation, user.DepartmentCode,
            Language.Normalize(user.PreferredLanguage)), session.Id, null);
    }

    /// <summary>Whether the session a cookie names is still open (not signed out).</summary>
    public Task<bool> IsOpenAsync(string sessionId, CancellationToken ct) => db.UserSessions.AnyAsync(s => s.Id == sessionId, ct);

    public async Task EndSessionAsync(string? sessionId, CancellationToken ct)
    {
        if (sessionId is not null) await db.UserSessions.Where(s => s.Id == sessionId).ExecuteDeleteAsync(ct);
    }

    public static string Key(string userName)
    {
        var key = userName.Trim().ToLowerInvariant();
        return key.Length > SignInLockout.MaxUserNameLength ? key[..SignInLockout.MaxUserNameLength] : key;
    }

    /// <summary>
    /// Counts one failure with an atomic increment (concurrent failures are all counted) and locks the
    /// name when the count reaches the limit; returns the end of the lock if this failure set one.
    /// </summary>
    private async Task<DateTimeOffset?> RecordFailureAsync(string key, SignInLockout? state, DateTimeOffset now, CancellationToken ct)
    {
        if (state is not null && now - state.LastFailureAt > options.ForgetAfter)
            await db.SignInLockouts.Where(l => l.UserName == key)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.Failures, 0).SetProperty(l => l.Lockouts, 0), ct);

        if (await IncrementAsync(key, now, ct) == 0)
        {
            var row = new SignInLockout { UserName = key, Failures = 1, LastFailureAt = now };
            db.SignInLockouts.Add(row);
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateException)
            {
                // Another request inserted the row first: count on it instead.
                db.Entry(row).State = EntityState.Detached;
                await IncrementAsync(key, now, ct);
            }
        }

        var current = await db.SignInLockouts.AsNoTracking().SingleAsync(l => l.UserName == key, ct);
        if (current.Failures < options.MaxFailures) return null;
        var periods = options.EffectivePeriods;
        var until = now + periods[Math.Min(current.Lockouts, periods.Count - 1)];
        // Conditional on what was read: of two requests crossing the limit together, one sets the lock.
        var set = await db.SignInLockouts.Where(l => l.UserName == key && l.Failures == current.Failures && l.Lockouts == current.Lockouts)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Failures, 0).SetProperty(l => l.Lockouts, l => l.Lockouts + 1)
                .SetProperty(l => l.LockedUntil, until), ct);
        return set == 1 ? until : null;
    }

    private Task<int> IncrementAsync(string key, DateTimeOffset now, CancellationToken ct) =>
        db.SignInLockouts.Where(l => l.UserName == key)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Failures, l => l.Failures + 1).SetProperty(l => l.LastFailureAt, now), ct);
}

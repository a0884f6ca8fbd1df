//! Every read of the time goes through [`Clock`], so tests can move time and
//! expiry can be judged in the server's time rather than the device's.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub type UnixMillis = i64;

pub trait Clock: Send + Sync {
    fn now_millis(&self) -> UnixMillis;
}

/// The device's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn now_millis(&self) -> UnixMillis {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `now` is a valid, writable timespec; CLOCK_REALTIME_COARSE
        // exists on every Linux since 2.6.32, and on failure we fall back.
        if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut now) } != 0 {
            return system_time_to_millis(SystemTime::now());
        }
        // time_t and c_long are 32-bit on armeabi-v7a and x86 Android.
        #[allow(clippy::unnecessary_cast)]
        let (seconds, nanos) = (now.tv_sec as i64, now.tv_nsec as i64);
        seconds
            .saturating_mul(1000)
            .saturating_add(nanos / 1_000_000)
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn now_millis(&self) -> UnixMillis {
        system_time_to_millis(SystemTime::now())
    }
}

pub fn system_time_to_millis(time: SystemTime) -> UnixMillis {
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// A clock that moves only when told to. Clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<AtomicI64>,
}

impl ManualClock {
    pub fn new(now_millis: UnixMillis) -> Self {
        Self {
            now: Arc::new(AtomicI64::new(now_millis)),
        }
    }

    /// Starts at the device's current time.
    pub fn starting_now() -> Self {
        Self::new(SystemClock.now_millis())
    }

    pub fn set(&self, now_millis: UnixMillis) {
        self.now.store(now_millis, Ordering::SeqCst);
    }

    pub fn advance(&self, by: Duration) {
        self.now.fetch_add(duration_millis(by), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> UnixMillis {
        self.now.load(Ordering::SeqCst)
    }
}

/// A device clock that runs a fixed offset away from the real time: how tests
/// model a phone whose clock is wrong.
#[derive(Debug, Clone, Copy)]
pub struct SkewedClock {
    pub skew_millis: i64,
}

impl Clock for SkewedClock {
    fn now_millis(&self) -> UnixMillis {
        SystemClock.now_millis().saturating_add(self.skew_millis)
    }
}

/// The server's time as seen from this device: the device clock plus the last
/// measured offset (server − device). Expiry is judged against this.
pub struct ServerTime {
    device: Arc<dyn Clock>,
    offset_millis: AtomicI64,
}

impl ServerTime {
    pub fn new(device: Arc<dyn Clock>) -> Self {
        Self {
            device,
            offset_millis: AtomicI64::new(0),
        }
    }

    pub fn now_millis(&self) -> UnixMillis {
        self.device
            .now_millis()
            .saturating_add(self.offset_millis.load(Ordering::Relaxed))
    }

    pub fn device_now_millis(&self) -> UnixMillis {
        self.device.now_millis()
    }

    pub fn offset_millis(&self) -> i64 {
        self.offset_millis.load(Ordering::Relaxed)
    }

    pub fn set_offset_millis(&self, offset: i64) {
        self.offset_millis.store(offset, Ordering::Relaxed);
    }

    /// Records the server's time as read from a response taken at device time
    /// `device_at`. Offsets under a second are noise (Date has 1 s resolution)
    /// and are ignored so the offset does not jitter.
    pub fn observe_server_time(&self, server_millis: UnixMillis, device_at: UnixMillis) {
        let offset = server_millis.saturating_sub(device_at);
        if offset.abs() < 1_000 {
            self.set_offset_millis(0);
        } else {
            self.set_offset_millis(offset);
        }
    }
}

pub fn duration_millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told_and_clones_share_time() {
        let clock = ManualClock::new(1_000);
        let other = clock.clone();
        clock.advance(Duration::from_millis(500));
        assert_eq!(other.now_millis(), 1_500);
        other.set(42);
        assert_eq!(clock.now_millis(), 42);
    }

    #[test]
    fn server_time_applies_the_observed_offset() {
        let device = ManualClock::new(1_000_000);
        let server = ServerTime::new(Arc::new(device.clone()));
        server.observe_server_time(1_600_000, 1_000_000);
        assert_eq!(server.now_millis(), 1_600_000);
        device.advance(Duration::from_secs(1));
        assert_eq!(server.now_millis(), 1_601_000);
        server.observe_server_time(1_000_400, 1_000_000);
        assert_eq!(server.offset_millis(), 0, "sub-second offsets are noise");
    }

    #[test]
    fn system_clock_agrees_with_system_time() {
        let coarse = SystemClock.now_millis();
        let precise = system_time_to_millis(SystemTime::now());
        assert!((precise - coarse).abs() < 50, "{coarse} vs {precise}");
    }

    #[test]
    fn times_before_the_epoch_are_negative() {
        let before = UNIX_EPOCH - Duration::from_millis(250);
        assert_eq!(system_time_to_millis(before), -250);
    }
}

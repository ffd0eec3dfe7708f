//! Ctrl-C during a long write. Until [`catch`] is called, Ctrl-C ends kehu at once, as it
//! ends any program; SQLite then keeps nothing of an unfinished transaction. A command that
//! has temporary files to remove, or a summary that must be printed once its transaction has
//! committed, calls [`catch`] first: Ctrl-C then only raises a flag. The command stops at its
//! next row, the store stops the statement it is running ([`crate::store::Store::stop_when`]),
//! the transaction rolls back, and the command's files are removed as it returns.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// Raised by Ctrl-C once [`catch`] has been called.
pub static REQUESTED: AtomicBool = AtomicBool::new(false);

/// The exit code of a command stopped by Ctrl-C: 128 + SIGINT, as shells report it.
pub const EXIT_CODE: u8 = 130;

/// From now on, Ctrl-C raises [`REQUESTED`] instead of ending kehu.
pub fn catch() {
    static CAUGHT: OnceLock<()> = OnceLock::new();
    CAUGHT.get_or_init(|| {
        // Without a handler (no signals to catch here) Ctrl-C keeps ending kehu at once,
        // which SQLite survives too: the command only loses its tidy exit.
        let _ = ctrlc::set_handler(|| REQUESTED.store(true, Ordering::Relaxed));
    });
}

/// Whether Ctrl-C has been pressed since [`catch`].
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

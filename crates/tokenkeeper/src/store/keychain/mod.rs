//! Apple Keychain backend (being written).

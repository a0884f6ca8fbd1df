//! Android Keystore backend (being written).

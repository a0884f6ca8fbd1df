//! Desktop keyring backend (being written).

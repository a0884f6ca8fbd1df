import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

group = "dev.tokenkeeper"
version = "0.1.0" // the workspace version in the root Cargo.toml

// rustls-platform-verifier's Kotlin half must be the version of the
// rustls-platform-verifier-android crate that Cargo locked for the .so (its README): a
// mismatched pair fails at run time, in the first TLS handshake, not at build time.
val rustlsVerifierVersion: String =
    providers.fileContents(layout.projectDirectory.file("../../../Cargo.lock")).asText.map { lock ->
        val lines = lock.lines()
        val at = lines.indexOfFirst { it.trim() == "name = \"rustls-platform-verifier-android\"" }
        check(at >= 0) { "rustls-platform-verifier-android is not in Cargo.lock" }
        lines.drop(at + 1).first { it.startsWith("version = ") }.substringAfter('"').substringBefore('"')
    }.get()

android {
    namespace = "dev.tokenkeeper"
    compileSdk = 35

    defaultConfig {
        minSdk = 24
        // R8 runs in the app: these rules travel inside the AAR.
        consumerProguardFiles("consumer-rules.pro")
    }

    sourceSets.getByName("main") {
        // Besides src/main/kotlin: the Kotlin layer shared with the JVM module, and the
        // UniFFI bindings build-android.sh generates (git-ignored). Kotlin compiles the .kt
        // files of java source dirs too.
        java.srcDirs("../src/main/kotlin", "../generated")
        // libtokenkeeper_ffi.so per ABI, written by build-android.sh (cargo-ndk).
        jniLibs.srcDirs("src/main/jniLibs")
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin {
    compilerOptions { jvmTarget.set(JvmTarget.JVM_17) }
}

dependencies {
    // The generated bindings call Rust through JNA; its AAR carries libjnidispatch.so for
    // every ABI (16 KB-aligned in 5.17.0). api: generated public types extend JNA classes.
    api("net.java.dev.jna:jna:5.17.0@aar")
    // Public API: StateFlow/SharedFlow and suspend functions; OkHttp interceptor,
    // authenticator and transport.
    api("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
    api("com.squareup.okhttp3:okhttp:4.12.0")
    // Called only from Rust over JNI (certificate checks of the built-in HTTPS client).
    runtimeOnly("org.rustls:rustls-platform-verifier:$rustlsVerifierVersion")
}

pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
        // The library's dependencies resolve here too: rustls-platform-verifier's Kotlin
        // half comes only from this repository (see bindings/kotlin/README.md).
        exclusiveContent {
            forRepository {
                maven("https://github.com/rustls/rustls-platform-verifier/raw/maven-archive/android-release-support/maven/")
            }
            filter { includeModule("org.rustls", "rustls-platform-verifier") }
        }
    }
}

rootProject.name = "tokenkeeper-sample"

// The library from source. Run ./build-android.sh once first: it writes the .so files and
// the generated bindings this build compiles.
includeBuild("../../bindings/kotlin") {
    dependencySubstitution {
        substitute(module("dev.tokenkeeper:tokenkeeper-android")).using(project(":android"))
    }
}
include(":app")

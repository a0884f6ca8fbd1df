// The Android library (AAR) over the generated UniFFI bindings and the shared Kotlin layer.
// The JVM tests of the same sources build with Maven (jvm/pom.xml), not here.
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
        // rustls-platform-verifier's Kotlin half is published only here, from a branch of
        // its repository (its README, "Gradle Setup"); nothing else may come from it.
        exclusiveContent {
            forRepository {
                maven("https://github.com/rustls/rustls-platform-verifier/raw/maven-archive/android-release-support/maven/")
            }
            filter { includeModule("org.rustls", "rustls-platform-verifier") }
        }
    }
}

rootProject.name = "tokenkeeper-kotlin"
include(":android")

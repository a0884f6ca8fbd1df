// Plugin versions for the whole build; Kotlin as in jvm/pom.xml. examples/android declares
// the same ones: keep them equal, or one composite build loads two Android plugins.
plugins {
    id("com.android.library") version "8.7.3" apply false
    id("org.jetbrains.kotlin.android") version "2.2.21" apply false
}

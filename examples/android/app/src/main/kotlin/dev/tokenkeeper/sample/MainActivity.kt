package dev.tokenkeeper.sample

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.viewModels
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.safeDrawingPadding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import dev.tokenkeeper.ffi.SessionState

class MainActivity : ComponentActivity() {
    private val model: SessionViewModel by viewModels()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContent {
            MaterialTheme {
                Surface(Modifier.fillMaxSize()) {
                    val session by model.session.collectAsStateWithLifecycle()
                    val ui by model.ui.collectAsStateWithLifecycle()
                    // The session state alone picks the screen: login, logout, expiry and
                    // a refresh refused by the server all show up here.
                    when (val state = session) {
                        is SessionState.Unknown -> Screen { CircularProgressIndicator() }
                        is SessionState.LoggedIn -> ApiScreen(ui, model::callApi, model::logout)
                        else -> LoginScreen(ui, state.notice(), model::login)
                    }
                }
            }
        }
    }
}

@Composable
private fun Screen(content: @Composable () -> Unit) {
    Column(
        modifier = Modifier
            .fillMaxSize()
            .safeDrawingPadding()
            .verticalScroll(rememberScrollState())
            .padding(24.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        Text("tokenkeeper sample", style = MaterialTheme.typography.headlineSmall)
        Text(BuildConfig.BASE_URL, style = MaterialTheme.typography.bodySmall)
        content()
    }
}

@Composable
private fun LoginScreen(ui: UiState, notice: String?, onLogin: (String, String) -> Unit) {
    var email by rememberSaveable { mutableStateOf("alice@example.com") }
    // Not rememberSaveable: a password has no business in the saved-instance Bundle.
    var password by remember { mutableStateOf("") }
    Screen {
        notice?.let { Text(it) }
        OutlinedTextField(
            value = email,
            onValueChange = { email = it },
            label = { Text("Email") },
            singleLine = true,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Email),
            modifier = Modifier.fillMaxWidth(),
        )
        OutlinedTextField(
            value = password,
            onValueChange = { password = it },
            label = { Text("Password") },
            singleLine = true,
            visualTransformation = PasswordVisualTransformation(),
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password),
            modifier = Modifier.fillMaxWidth(),
        )
        Button(
            onClick = { onLogin(email, password) },
            enabled = !ui.busy && email.isNotBlank() && password.isNotEmpty(),
        ) { Text("Log in") }
        ErrorText(ui.error)
    }
}

@Composable
private fun ApiScreen(ui: UiState, onCall: () -> Unit, onLogout: () -> Unit) {
    Screen {
        Text("Logged in. Requests to the server carry the access token; a 401 renews it once.")
        Button(onClick = onCall, enabled = !ui.busy) { Text("GET /api/me") }
        ui.response?.let { Text(it, fontFamily = FontFamily.Monospace) }
        ErrorText(ui.error)
        OutlinedButton(onClick = onLogout, enabled = !ui.busy) { Text("Log out") }
    }
}

@Composable
private fun ErrorText(error: String?) {
    error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
}

//! The alarm tone, for profiles that ask for one (off by default). A short two-note chime
//! from Web Audio: nothing to download, and silent if the browser refuses sound.

use web_sys::{AudioContext, OscillatorType};

pub fn beep() {
    let Ok(ctx) = AudioContext::new() else {
        return;
    };
    let start = ctx.current_time();
    for (i, freq) in [880.0_f32, 660.0].into_iter().enumerate() {
        let Ok(osc) = ctx.create_oscillator() else {
            return;
        };
        osc.set_type(OscillatorType::Sine);
        osc.frequency().set_value(freq);
        if osc.connect_with_audio_node(&ctx.destination()).is_err() {
            return;
        }
        let at = start + i as f64 * 0.25;
        let _ = osc.start_with_when(at);
        let _ = osc.stop_with_when(at + 0.2);
    }
}

//! The sample article's photo: a picture drawn here (fields under a morning sky, a river, a row of
//! greenhouses), since the demo ships no one's photograph. Credited to 刘建平, as the
//! publisher's photos are.

/// Caption, credit and alt text of the photo.
pub const CAPTION: &str = "嘉鱼县年轻干部深入田间地头一线调研";
pub const CREDIT: &str = "刘建平";
pub const ALT: &str = "晨光下的田野、河流和一排大棚";

const WIDTH: u32 = 1600;
const HEIGHT: u32 = 1000;

/// The photo as a JPEG (the same bytes every time, so seeding twice stores it once).
pub fn jpeg() -> Vec<u8> {
    let mut pixels = Vec::with_capacity((WIDTH * HEIGHT * 3) as usize);
    let horizon = HEIGHT * 9 / 20;
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            pixels.extend_from_slice(&colour(x, y, horizon));
        }
    }
    let mut out = Vec::new();
    let encoder = jpeg_encoder::Encoder::new(&mut out, 88);
    // Encoding pixels it made itself cannot fail; an empty photo would be refused on upload.
    let _ = encoder.encode(
        &pixels,
        WIDTH as u16,
        HEIGHT as u16,
        jpeg_encoder::ColorType::Rgb,
    );
    out
}

fn mix(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

fn colour(x: u32, y: u32, horizon: u32) -> [u8; 3] {
    let (fx, fy) = (x as f32 / WIDTH as f32, y as f32 / HEIGHT as f32);
    // Distances in the picture's own proportions, so the sun is round.
    let aspect = WIDTH as f32 / HEIGHT as f32;
    let sun = (((fx - 0.72) * aspect).powi(2) + (fy - 0.22).powi(2)).sqrt();
    let c = if y < horizon {
        let sky = mix(
            [250.0, 214.0, 165.0],
            [120.0, 170.0, 225.0],
            1.0 - fy / 0.45,
        );
        let glow = (1.0 - (sun / 0.35)).clamp(0.0, 1.0).powi(2);
        let c = mix(sky, [255.0, 240.0, 200.0], glow);
        if sun < 0.045 {
            [255.0, 246.0, 215.0]
        } else {
            c
        }
    } else {
        let depth = (y - horizon) as f32 / (HEIGHT - horizon) as f32;
        // Furrows narrow towards the horizon; a river bends through the fields.
        let furrow = ((fx - 0.5) / (0.15 + depth) * 40.0).sin() * 0.5 + 0.5;
        let field = mix([96.0, 140.0, 60.0], [58.0, 110.0, 40.0], furrow * depth);
        let river = (fx - (0.3 + 0.1 * (depth * 6.0).sin())).abs() < 0.02 + 0.05 * depth;
        let greenhouse = depth > 0.15 && depth < 0.3 && (fx * 30.0).fract() < 0.8 && fx > 0.5;
        if river {
            mix([150.0, 190.0, 215.0], [90.0, 130.0, 170.0], depth)
        } else if greenhouse {
            mix(
                [230.0, 235.0, 240.0],
                [200.0, 210.0, 220.0],
                (fx * 30.0).fract(),
            )
        } else {
            field
        }
    };
    [c[0] as u8, c[1] as u8, c[2] as u8]
}

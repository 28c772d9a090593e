//! The media store on S3 (API.md §11): a real `newsdesk serve` with `NEWSDESK_MEDIA_STORE=s3://…`
//! against a real S3-compatible server on loopback — moto's (`moto_server`, from PyPI, installed
//! once into `target/moto-venv`, or `MOTO_SERVER` / `moto_server` on `PATH`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sha2::Digest;

use crate::helpers::TestApp;
use crate::server::{free_port, Server};

fn works(cmd: &Path) -> bool {
    Command::new(cmd)
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The `moto_server` command, installing it when this machine has none.
fn moto_server() -> &'static Path {
    static MOTO: OnceLock<PathBuf> = OnceLock::new();
    MOTO.get_or_init(|| {
        crate::helpers::python_tool(
            "MOTO_SERVER",
            "moto_server",
            "moto-venv",
            "moto[server]>=5,<6",
            works,
        )
    })
}

/// A moto S3 server on a free loopback port, stopped when dropped.
struct Moto {
    child: Child,
    base: String,
}

impl Moto {
    fn start() -> Moto {
        let port = free_port();
        let child = Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        while ureq::get(&base).call().is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start");
            std::thread::sleep(Duration::from_millis(200));
        }
        Moto { child, base }
    }

    /// The keys stored in `bucket` and their sizes (ListObjectsV2; the objects are private).
    fn objects(&self, bucket: &str) -> Vec<(String, usize)> {
        let xml = ureq::get(&format!("{}/{bucket}?list-type=2", self.base))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let text = |c: roxmltree::Node<'_, '_>, tag: &str| {
            c.children()
                .find(|n| n.has_tag_name(tag))
                .and_then(|n| n.text())
                .unwrap_or_default()
                .to_owned()
        };
        doc.descendants()
            .filter(|n| n.has_tag_name("Contents"))
            .map(|c| (text(c, "Key"), text(c, "Size").parse().unwrap_or(0)))
            .collect()
    }

    fn keys(&self, bucket: &str) -> Vec<String> {
        self.objects(bucket).into_iter().map(|(k, _)| k).collect()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn images_live_in_an_s3_compatible_store() {
    let moto = Moto::start();
    let bucket = "newsdesk-photos";
    ureq::put(&format!("{}/{bucket}", moto.base))
        .call()
        .expect("create the bucket");
    let app = TestApp::spawn_without_scheduler();
    let admin = app.admin();
    let server = Server::on_database_with(
        app.database_url(),
        &[
            ("NEWSDESK_MEDIA_STORE", "s3://newsdesk-photos/xianning/"),
            ("AWS_ENDPOINT_URL", moto.base.as_str()),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
        ],
    );
    let photo = crate::media::phone_jpeg(1000, 750, 1);
    let r = ureq::post(&format!(
        "{}/api/v1/media?credit=%E5%88%98%E5%BB%BA%E5%B9%B3",
        server.base
    ))
    .set("Authorization", &format!("Bearer {admin}"))
    .set("Content-Type", "image/jpeg")
    .send_bytes(&photo)
    .expect("upload");
    assert_eq!(r.status(), 201);
    let m: serde_json::Value = serde_json::from_str(&r.into_string().unwrap()).unwrap();
    let id = m["id"].as_str().unwrap();
    let mut keys = moto.keys(bucket);
    keys.sort();
    assert_eq!(
        keys,
        [
            format!("xianning/{id}/320.jpg"),
            format!("xianning/{id}/640.jpg"),
            format!("xianning/{id}/original.jpg"),
        ]
    );
    // What newsdesk serves is what the store holds.
    let mut served = Vec::new();
    let got = ureq::get(&format!("{}/api/v1/media/{id}", server.base))
        .call()
        .unwrap();
    assert_eq!(got.header("Content-Type"), Some("image/jpeg"));
    std::io::Read::read_to_end(&mut got.into_reader(), &mut served).unwrap();
    let original = format!("xianning/{id}/original.jpg");
    assert!(moto.objects(bucket).contains(&(original, served.len())));
    let digest: String = sha2::Sha256::digest(&served)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(m["sha256"], digest.as_str());
    assert!(!served.windows(3).any(|w| w == b"GPS"));
    let variant = ureq::get(&format!("{}/api/v1/media/{id}/variants/640", server.base))
        .call()
        .unwrap();
    assert_eq!(variant.status(), 200);
    // Deleted: its objects go too.
    let deleted = ureq::delete(&format!("{}/api/v1/media/{id}", server.base))
        .set("Authorization", &format!("Bearer {admin}"))
        .call()
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert!(moto.keys(bucket).is_empty(), "{:?}", moto.keys(bucket));
    server.stop();
}

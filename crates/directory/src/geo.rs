//! Points on the WGS84 sphere approximation: great-circle distance, centroids and the coarse
//! grid used to hide confidential locations.

use serde::Serialize;

use crate::error::DirectoryError;

/// Mean Earth radius (IUGG), in kilometres; haversine on a sphere errs by at most ~0.5 %.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Size in degrees of the grid cell that stands in for a confidential location. 0.1 degree of
/// latitude is about 11 km, which is the precision a searcher can learn about such a location
/// however many queries they make (see [`Point::grid_anchor`]).
pub const CONFIDENTIAL_GRID_DEGREES: f64 = 0.1;

/// A WGS84 latitude/longitude in decimal degrees, always within range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    lat: f64,
    lon: f64,
}

impl Point {
    /// A point, if latitude is in [-90, 90] and longitude in [-180, 180] (both finite).
    pub fn new(lat: f64, lon: f64) -> Result<Point, DirectoryError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(DirectoryError::OutOfRange(format!(
                "latitude {lat} is outside [-90, 90]"
            )));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(DirectoryError::OutOfRange(format!(
                "longitude {lon} is outside [-180, 180]"
            )));
        }
        Ok(Point { lat, lon })
    }

    /// Latitude in decimal degrees.
    pub fn lat(&self) -> f64 {
        self.lat
    }

    /// Longitude in decimal degrees.
    pub fn lon(&self) -> f64 {
        self.lon
    }

    /// Great-circle distance in kilometres (haversine formula).
    pub fn distance_km(&self, other: &Point) -> f64 {
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let d_lat = lat2 - lat1;
        let d_lon = (other.lon - self.lon).to_radians();
        let a = (d_lat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (d_lon / 2.0).sin().powi(2);
        // Clamp: rounding can push `a` a hair above 1 for antipodal points.
        2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
    }

    /// The centre of the fixed grid cell (of [`CONFIDENTIAL_GRID_DEGREES`]) holding this point.
    ///
    /// Distances to a confidential location are measured from this anchor, never from the real
    /// point: with banded distances alone, a searcher who moves the query point could find the
    /// band edges and trilaterate the real location; from the anchor they can only learn the cell.
    pub fn grid_anchor(&self) -> Point {
        let snap = |value: f64, limit: f64| {
            let cell = (value / CONFIDENTIAL_GRID_DEGREES).floor();
            (cell * CONFIDENTIAL_GRID_DEGREES + CONFIDENTIAL_GRID_DEGREES / 2.0)
                .clamp(-limit, limit)
        };
        Point {
            lat: snap(self.lat, 90.0),
            lon: snap(self.lon, 180.0),
        }
    }

    /// The centroid of several points: the mean of their unit vectors projected back to the
    /// sphere, so that points either side of the antimeridian average correctly. `None` for no
    /// points or points that cancel out (e.g. two antipodes).
    pub fn centroid<'a>(points: impl IntoIterator<Item = &'a Point>) -> Option<Point> {
        let (mut x, mut y, mut z, mut count) = (0.0_f64, 0.0_f64, 0.0_f64, 0_usize);
        for point in points {
            let (lat, lon) = (point.lat.to_radians(), point.lon.to_radians());
            x += lat.cos() * lon.cos();
            y += lat.cos() * lon.sin();
            z += lat.sin();
            count += 1;
        }
        if count == 0 {
            return None;
        }
        let horizontal = x.hypot(y);
        if horizontal.hypot(z) < 1e-9 {
            return None;
        }
        let lat = z.atan2(horizontal).to_degrees();
        let lon = y.atan2(x).to_degrees();
        Point::new(lat.clamp(-90.0, 90.0), lon.clamp(-180.0, 180.0)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lat: f64, lon: f64) -> Point {
        Point::new(lat, lon).expect("valid test point")
    }

    #[test]
    fn rejects_out_of_range_coordinates() {
        assert!(Point::new(90.5, 0.0).is_err());
        assert!(Point::new(0.0, -180.5).is_err());
        assert!(Point::new(f64::NAN, 0.0).is_err());
        assert!(Point::new(-90.0, 180.0).is_ok());
    }

    #[test]
    fn haversine_matches_known_distances() {
        // One degree of latitude along a meridian is R * pi / 180.
        let one_degree = point(0.0, 0.0).distance_km(&point(1.0, 0.0));
        assert!((one_degree - EARTH_RADIUS_KM.to_radians()).abs() < 1e-9);
        // Quarter of the equator.
        let quarter = point(0.0, 0.0).distance_km(&point(0.0, 90.0));
        assert!((quarter - EARTH_RADIUS_KM * std::f64::consts::FRAC_PI_2).abs() < 1e-6);
        // Symmetric, zero on itself.
        let (a, b) = (point(51.51, -0.13), point(48.86, 2.35));
        assert!((a.distance_km(&b) - b.distance_km(&a)).abs() < 1e-9);
        assert_eq!(a.distance_km(&a), 0.0);
        // London to Paris is a little over 340 km.
        assert!((330.0..360.0).contains(&a.distance_km(&b)));
    }

    #[test]
    fn centroid_handles_the_antimeridian() {
        let c = Point::centroid(&[point(10.0, 179.0), point(10.0, -179.0)]).expect("centroid");
        assert!(c.lon().abs() > 179.9, "got {c:?}");
        assert!((c.lat() - 10.0).abs() < 0.01);
        assert!(Point::centroid(&[]).is_none());
    }

    #[test]
    fn grid_anchor_stays_within_its_cell() {
        let real = point(40.4234, -3.7012);
        let anchor = real.grid_anchor();
        assert!((anchor.lat() - 40.45).abs() < 1e-9, "{anchor:?}");
        assert!((anchor.lon() - -3.75).abs() < 1e-9, "{anchor:?}");
        // Every point of the cell maps to the same anchor.
        assert_eq!(point(40.4999, -3.7999).grid_anchor(), anchor);
    }
}

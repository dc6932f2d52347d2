//! Read-only data source types, one file each.

use std::sync::Arc;

use crate::framework::DataSource;

pub mod dashboard;
pub mod dashboards;
pub mod datasource;
pub mod folder;
pub mod user;

/// Every data source this provider serves.
pub fn all() -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(folder::FolderDataSource),
        Arc::new(dashboard::DashboardDataSource),
        Arc::new(dashboards::DashboardsDataSource),
        Arc::new(datasource::DataSourceLookup { type_name: "grafana_datasource" }),
        Arc::new(datasource::DataSourceLookup { type_name: "grafana_data_source" }),
        Arc::new(datasource::DataSourcesLookup),
        Arc::new(user::UserLookup),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_data_source_model_matches_its_schema() {
        for d in super::all() {
            crate::model::check_against_schema(d.type_name(), d.model_attributes(), &d.schema()).unwrap();
        }
    }
}

/// The `admission.k8s.io` versions identity-guard speaks; a response always uses the request's version.
public enum AdmissionReviewVersion: String, Sendable, Hashable, CaseIterable {
    case v1 = "admission.k8s.io/v1"
    case v1beta1 = "admission.k8s.io/v1beta1"
}
